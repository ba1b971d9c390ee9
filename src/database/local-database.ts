import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../config/config';
import { EmbeddedDatabase, startEmbeddedPostgres, usableDataDir } from './embedded-postgres';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const DATABASE_NAME = 'loyalty';

/**
 * `npm start` without DATABASE_URL: the project's own PostgreSQL, its data kept in .data/pg (git-ignored) so
 * that the demo database survives restarts.
 */
export async function startLocalDatabase(
  config: AppConfig,
  log: (line: string) => void,
): Promise<{ database: EmbeddedDatabase; url: string }> {
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
  return { database, url: database.url.replace(/\/postgres$/, `/${DATABASE_NAME}`) };
}
