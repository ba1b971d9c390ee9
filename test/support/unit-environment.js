// The test environment of the unit project (jest.config.js): Node's, in UTC.
// A setup file cannot do this: inside a test file `process.env` is a copy, so setting TZ there reaches neither
// Date nor Intl. This module runs outside the sandbox, on the real `process.env`, whose TZ setter makes V8 and ICU
// read the zone again; teardown puts back what was there, so that a later project in the same process (--runInBand)
// keeps its own zone.
const { TestEnvironment } = require('jest-environment-node');

class UtcEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.savedTimeZone = process.env.TZ;
    process.env.TZ = 'UTC';
    this.global.process.env.TZ = 'UTC';
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (new Date(2026, 6, 1).getTimezoneOffset() !== 0 || !['UTC', 'Etc/UTC'].includes(zone)) {
      throw new Error(`unit tests must run in UTC: Date and Intl say ${zone}`);
    }
  }

  async teardown() {
    if (this.savedTimeZone === undefined) delete process.env.TZ;
    else process.env.TZ = this.savedTimeZone;
    await super.teardown();
  }
}

module.exports = UtcEnvironment;
