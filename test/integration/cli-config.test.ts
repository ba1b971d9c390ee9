import { runCommand } from '../audit/helpers';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Every command (src/cli) reads its configuration one way (loadCliConfig): validated as the service's is, with
 * an empty variable meaning the same as an unset one, and without the ADMIN token that only the service needs.
 */
describe('the commands read their configuration one way', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('migrate runs with ADMIN_API_TOKEN exported empty', async () => {
    const r = await runCommand('migrate.ts', ['--status'], { DATABASE_URL: db.url, ADMIN_API_TOKEN: '' });
    expect(r.stderr).not.toContain('ADMIN_API_TOKEN');
    expect(r.code).toBe(0);
  });

  it('reconcile runs with LOG_LEVEL exported empty', async () => {
    const r = await runCommand('reconcile.ts', [], { DATABASE_URL: db.serviceUrl, LOG_LEVEL: '' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
