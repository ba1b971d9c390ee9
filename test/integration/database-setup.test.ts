import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { setUpDatabase } from '../../src/database/database-setup';
import { SERVICE_GROUP_ROLE } from '../../src/database/service-role';
import { TEST_SERVICE_LOGIN, TEST_SERVICE_PASSWORD, withLogin } from '../support/global-setup';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const PASSWORD = 'setup-test';

/** What a start does with DATABASE_URL and DATABASE_OWNER_URL: the membership grant and the warning. */
describe('database setup at start', () => {
  let db: TestDatabase;
  const made: string[] = [];

  async function asOwner<T>(run: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  /** A login role of its own (roles belong to the cluster: named uniquely, dropped after). */
  async function loginRole(): Promise<{ name: string; url: string }> {
    const name = `loyalty_setup_${randomBytes(5).toString('hex')}`;
    await asOwner((c) => c.query(`create role ${name} login password '${PASSWORD}'`));
    made.push(name);
    return { name, url: withLogin(db.url, name, PASSWORD) };
  }

  const isMember = (name: string) =>
    asOwner(async (c) => (await c.query(`select pg_has_role($1, $2, 'MEMBER') as m`, [name, SERVICE_GROUP_ROLE])).rows[0].m);

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    // The database first: with it go the roles' privileges in it, which would keep a role from being dropped.
    await db.drop();
    const admin = new Client({ connectionString: db.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    for (const name of made) await admin.query(`drop role if exists ${name}`);
    await admin.end();
  });

  it("migrates as the owner and makes DATABASE_URL's role a member of the service's role, without a warning", async () => {
    const service = await loginRole();
    expect(await isMember(service.name)).toBe(false);
    const setup = await setUpDatabase({ databaseUrl: service.url, databaseOwnerUrl: db.url, migrate: true });
    expect(setup).toEqual({ applied: [], warning: null });
    expect(await isMember(service.name)).toBe(true);
    // Once a member, a start leaves it as it is.
    expect(await setUpDatabase({ databaseUrl: service.url, databaseOwnerUrl: db.url, migrate: false })).toEqual({
      applied: null,
      warning: null,
    });
  });

  it('stops the start, naming the GRANT to run, when the owner may not grant the membership', async () => {
    const service = await loginRole();
    const powerless = withLogin(db.url, TEST_SERVICE_LOGIN, TEST_SERVICE_PASSWORD);
    await expect(setUpDatabase({ databaseUrl: service.url, databaseOwnerUrl: powerless, migrate: false })).rejects.toThrow(
      `GRANT ${SERVICE_GROUP_ROLE} TO "${service.name}";`,
    );
    expect(await isMember(service.name)).toBe(false);
  });

  it('warns in one line when the service connects as the owner (the single-role setup)', async () => {
    const setup = await setUpDatabase({ databaseUrl: db.url, databaseOwnerUrl: null, migrate: true });
    expect(setup.applied).toEqual([]);
    expect(setup.warning).toMatch(/^least privilege is not in force: DATABASE_URL's role "[^"]+" /);
    expect(setup.warning).toMatch(/owns or may become the owner of .*ledger_entries/);
    expect(setup.warning).toContain('DATABASE_OWNER_URL');
    expect(setup.warning).not.toContain('\n');
  });

  it('warns when the service role was granted more than the service does', async () => {
    const service = await loginRole();
    await asOwner((c) => c.query(`grant ${SERVICE_GROUP_ROLE} to ${service.name}; grant update, truncate on purchases to ${service.name}`));
    const setup = await setUpDatabase({ databaseUrl: service.url, databaseOwnerUrl: db.url, migrate: false });
    expect(setup.warning).toContain(`"${service.name}" may TRUNCATE purchases, UPDATE purchases.`);
  });
});
