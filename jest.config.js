// Two projects. `unit`: the specs beside the code (src, *.spec.ts), no database, in UTC, seconds.
// `integration`: the tests that need PostgreSQL (test, *.test.ts), each file on a database of its own cloned from
// a template that the global setup migrates once per run.
// `npm test` runs both, `npm run test:unit` the first alone. `--selectProjects` takes a list: a flag after it ends
// the list (`jest --selectProjects unit --runInBand src/config`), else a path given after it is read as a project.
const shared = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  transform: { '^.+\\.ts$': 'ts-jest' },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      testEnvironment: '<rootDir>/test/support/unit-environment.js',
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 60000,
};
