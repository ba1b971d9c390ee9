import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * In a process of its own: the package is ESM and loaded with import(), which Jest's module sandbox does not
 * serve. A production install leaves the package out; the start must say what to do instead of a stack trace.
 */
function loadIn(specifier: string): string {
  const root = join(__dirname, '..', '..');
  const script = `require('./src/database/embedded-postgres').loadEmbeddedPostgres(${JSON.stringify(specifier)})
    .then((ctor) => console.log('loaded ' + typeof ctor), (e) => console.log(e.message));`;
  return execFileSync(process.execPath, ['-r', './test/support/ts-register.js', '-e', script], { cwd: root, encoding: 'utf8' });
}

it('says how to go on when the embedded-postgres package is not installed', () => {
  const out = loadIn('embedded-postgres-not-installed');
  expect(out).toContain('The embedded PostgreSQL is not installed');
  expect(out).toContain('Set DATABASE_URL');
});

it('loads the package when it is installed', () => {
  expect(loadIn('embedded-postgres')).toContain('loaded function');
});
