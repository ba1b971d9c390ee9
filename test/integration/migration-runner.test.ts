import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { formatMigrationStatus, migrationStatus } from '../../src/database/migration-status';
import { migrate } from '../../src/database/migrator';
import { withDatabase } from '../support/global-setup';
import { createTestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');

/** The runner on its own folders of migrations and empty databases of its own. */
describe('the migration runner', () => {
  const adminUrl = () => process.env.LOYALTY_TEST_ADMIN_URL ?? '';
  const made: string[] = [];
  let dir: string;

  async function query<T extends object>(url: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  async function emptyDatabase(): Promise<string> {
    const name = `loyalty_migrations_${randomBytes(6).toString('hex')}`;
    await query(adminUrl(), `create database ${name}`);
    made.push(name);
    return withDatabase(adminUrl(), name);
  }

  const file = (name: string, sql: string) => writeFileSync(join(dir, name), sql);
  const tableExists = async (url: string, table: string) =>
    (await query<{ t: string | null }>(url, `select to_regclass('${table}')::text as t`))[0].t !== null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => {
    for (const name of made) await query(adminUrl(), `drop database if exists ${name} with (force)`);
  });

  it('refuses an applied migration edited since, naming the file, and applies nothing after it', async () => {
    const url = await emptyDatabase();
    file('0001_first.sql', 'create table first (id int);');
    expect(await migrate(url, dir)).toEqual(['0001_first.sql']);
    file('0001_first.sql', 'create table first (id bigint);');
    file('0002_second.sql', 'create table second (id int);');
    await expect(migrate(url, dir)).rejects.toThrow(/changed since applied: 0001_first\.sql\..*append-only/);
    expect(await tableExists(url, 'second')).toBe(false);
  });

  it('takes line endings for what they are: a CRLF checkout of an applied file is not an edit', async () => {
    const url = await emptyDatabase();
    file('0001_first.sql', '-- a comment\ncreate table first (id int);\n');
    await migrate(url, dir);
    file('0001_first.sql', '-- a comment\r\ncreate table first (id int);\r\n');
    expect(await migrate(url, dir)).toEqual([]);
  });

  it('records the checksum of rows applied before checksums existed, and refuses later edits of them', async () => {
    const url = await emptyDatabase();
    const sql = 'create table first (id int);';
    file('0001_first.sql', sql);
    // As a database migrated by the runner before it kept checksums.
    await query(url, `${sql} create table schema_migrations (version text primary key, applied_at timestamptz not null default now());
      insert into schema_migrations (version) values ('0001_first.sql')`);
    expect(await migrate(url, dir)).toEqual([]);
    const rows = await query<{ checksum: string }>(url, 'select checksum from schema_migrations');
    expect(rows).toEqual([{ checksum: createHash('sha256').update(sql).digest('hex') }]);
    file('0001_first.sql', 'create table first (id bigint);');
    await expect(migrate(url, dir)).rejects.toThrow(/0001_first\.sql/);
  });

  it('lists each file as applied (with when), changed, pending or missing', async () => {
    const url = await emptyDatabase();
    file('0001_first.sql', 'create table first (id int);');
    file('0002_second.sql', 'create table second (id int);');
    file('0003_gone.sql', 'create table gone (id int);');
    await migrate(url, dir);
    file('0002_second.sql', 'create table second (id bigint);');
    rmSync(join(dir, '0003_gone.sql'));
    file('0004_fourth.sql', 'create table fourth (id int);');
    const statuses = await migrationStatus(url, dir);
    expect(statuses.map((s) => [s.name, s.state])).toEqual([
      ['0001_first.sql', 'applied'],
      ['0002_second.sql', 'changed'],
      ['0003_gone.sql', 'missing'],
      ['0004_fourth.sql', 'pending'],
    ]);
    const lines = formatMigrationStatus(statuses).split('\n');
    expect(lines[0]).toMatch(/^applied +\d{4}-\d\d-\d\dT[\d:.]+Z +0001_first\.sql$/);
    expect(lines[1]).toMatch(/^changed .* 0002_second\.sql .*edited after it was applied/);
    expect(lines[3]).toMatch(/^pending +0004_fourth\.sql$/);
    // Status only reads: the pending file is still pending.
    expect(await tableExists(url, 'fourth')).toBe(false);
  });

  it('lists every pending file of a database never migrated', async () => {
    const url = await emptyDatabase();
    file('0001_first.sql', 'create table first (id int);');
    expect(await migrationStatus(url, dir)).toEqual([{ name: '0001_first.sql', state: 'pending', appliedAt: null }]);
  });

  it('runs a file marked no-transaction statement by statement, so CREATE INDEX CONCURRENTLY can run', async () => {
    const url = await emptyDatabase();
    const body = `create table t (x int);
      create function f() returns int language plpgsql as $$ begin perform 1; return 1; end $$;
      create index concurrently t_x on t (x);`;
    file('0001_plain.sql', body);
    await expect(migrate(url, dir)).rejects.toThrow(/0001_plain\.sql failed: CREATE INDEX CONCURRENTLY cannot/);
    rmSync(join(dir, '0001_plain.sql'));
    file('0001_marked.sql', `-- migrate: no-transaction\n${body}`);
    expect(await migrate(url, dir)).toEqual(['0001_marked.sql']);
    const [index] = await query<{ valid: boolean }>(url, "select indisvalid as valid from pg_index where indexrelid = 't_x'::regclass");
    expect(index.valid).toBe(true);
    expect(await query(url, 'select f() as one')).toEqual([{ one: 1 }]);
  });

  it('`npm run migrate -- --status` lists every file of migrations/ as applied on a migrated database', async () => {
    const db = await createTestDatabase();
    // Migrations need no admin token: the command must do without one.
    const { ADMIN_API_TOKEN: _unused, ...env } = process.env;
    try {
      const run = spawnSync(
        process.execPath,
        ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/cli/migrate.ts'), '--status'],
        { cwd: ROOT, encoding: 'utf8', env: { ...env, DATABASE_URL: db.url, DATABASE_OWNER_URL: db.url } },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(9);
      for (const line of lines) expect(line).toMatch(/^applied +\S+Z +\d{4}_[\w-]+\.sql$/);
      expect(lines[0]).toMatch(/0001_init\.sql$/);
    } finally {
      await db.drop();
    }
  });
});
