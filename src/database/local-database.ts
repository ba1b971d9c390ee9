import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../config/config';
import { EmbeddedDatabase, startEmbeddedPostgres, usableDataDir } from './embedded-postgres';
import { ensureLocalServiceLogin } from './local-service-login';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const DATABASE_NAME = 'loyalty';

/** Where the embedded database's service role keeps its generated password (git-ignored, mode 0600). */
const SERVICE_PASSWORD_FILE = join(PROJECT_ROOT, '.data', 'service-role-password');

export interface LocalDatabase {
  database: EmbeddedDatabase;
  /** The embedded superuser: owns the schema and runs the migrations. */
  ownerUrl: string;
  /** The service's login role, with the service's grants once migrated (see database-setup.ts). */
  serviceUrl: string;
}

/**
 * The owner's URL of the embedded database while `npm start` runs it: the server's fixed credentials
 * (embedded-postgres.ts) and the database made below. For tools that only connect to it, never start it.
 */
export function localOwnerUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE_NAME}`;
}

/**
 * `npm start` without DATABASE_URL: the project's own PostgreSQL, its data kept in .data/pg (git-ignored) so
 * that the demo database survives restarts.
 */
export async function startLocalDatabase(config: AppConfig, log: (line: string) => void): Promise<LocalDatabase> {
  const dataDir = usableDataDir(config.embeddedPgDir ?? join(PROJECT_ROOT, '.data', 'pg'), log);
  const database = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, persistent: true, log });
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`create database ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  const ownerUrl = database.url.replace(/\/postgres$/, `/${DATABASE_NAME}`);
  try {
    return { database, ownerUrl, serviceUrl: await ensureLocalServiceLogin(ownerUrl, SERVICE_PASSWORD_FILE) };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
