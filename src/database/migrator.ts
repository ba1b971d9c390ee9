import { resolve } from 'node:path';
import { Client } from 'pg';
import { MigrationFile, readMigrationFiles } from './migration-files';
import { splitStatements } from './sql-statements';

/** migrations/ at the project root; this file runs from src/database (tests) or dist/database (builds). */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

// Any constant works; it only has to be the same for every instance so that concurrent starts take turns.
const MIGRATION_LOCK_KEY = 724_311_901;

/**
 * Applies the SQL files of migrations/ in name order, each in its own transaction (or, marked
 * `-- migrate: no-transaction` on its first line, statement by statement), once. Refuses to apply anything while
 * an applied file's text differs from the checksum recorded when it was applied: migrations are append-only.
 * Plain SQL because the ledger's guards are triggers and functions that an ORM's schema diff does not model
 * (docs/decisions/0009-migration-runner.md).
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version text primary key, applied_at timestamptz not null default now())`);
    await client.query('alter table schema_migrations add column if not exists checksum text');
    const files = readMigrationFiles(dir);
    const done = await recordedChecksums(client, files);
    refuseChanged(files, done);
    for (const file of files) {
      if (done.has(file.name)) continue;
      await apply(client, file);
      applied.push(file.name);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return applied;
}

/**
 * Checksums by applied file. Rows from before the checksum column have none: they take the file as it is now
 * (the best evidence there is of what was applied), so that every later edit is caught.
 */
async function recordedChecksums(client: Client, files: MigrationFile[]): Promise<Map<string, string>> {
  for (const file of files) {
    await client.query('update schema_migrations set checksum = $2 where version = $1 and checksum is null', [
      file.name,
      file.checksum,
    ]);
  }
  const rows = (await client.query<{ version: string; checksum: string | null }>('select version, checksum from schema_migrations')).rows;
  return new Map(rows.map((r) => [r.version, r.checksum ?? '']));
}

function refuseChanged(files: MigrationFile[], done: Map<string, string>): void {
  const changed = files.filter((f) => done.has(f.name) && done.get(f.name) !== f.checksum);
  if (!changed.length) return;
  throw new Error(
    `applied migration${changed.length > 1 ? 's' : ''} changed since applied: ${changed.map((f) => f.name).join(', ')}. ` +
      'Migrations are append-only: restore the applied text and put the change in a new migration ' +
      '(`npm run migrate -- --status` lists every file).',
  );
}

async function apply(client: Client, file: MigrationFile): Promise<void> {
  const record = () =>
    client.query('insert into schema_migrations (version, checksum) values ($1, $2)', [file.name, file.checksum]);
  if (!file.transactional) {
    try {
      for (const statement of splitStatements(file.sql)) await client.query(statement);
      await record();
    } catch (error) {
      throw new Error(
        `migration ${file.name} failed (it runs without a transaction: the statements before the failing one ` +
          `stay applied, and it must be safe to run again): ${(error as Error).message}`,
      );
    }
    return;
  }
  await client.query('begin');
  try {
    await client.query(file.sql);
    await record();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw new Error(`migration ${file.name} failed: ${(error as Error).message}`);
  }
}
