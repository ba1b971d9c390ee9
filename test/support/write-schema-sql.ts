import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../src/database/migrator';
import { startTestServer } from './database-server';
import { withDatabase } from './global-setup';
import { printSchemaSql } from './schema-sql';

export const SCHEMA_SQL_PATH = join(__dirname, '..', '..', 'docs', 'schema.sql');

/** Migrates a throwaway database of the server at adminUrl and prints its schema; the database goes after. */
export async function freshSchemaSql(adminUrl: string): Promise<string> {
  const name = `loyalty_schema_sql_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    try {
      await migrate(withDatabase(adminUrl, name));
      const client = new Client({ connectionString: withDatabase(adminUrl, name) });
      await client.connect();
      try {
        return await printSchemaSql(client);
      } finally {
        await client.end();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

/** `npm run schema:sql`: finds a PostgreSQL as the tests do (TEST_DATABASE_URL, a container, the embedded one). */
async function main(): Promise<void> {
  const server = await startTestServer((line) => process.stderr.write(`${line}\n`));
  try {
    writeFileSync(SCHEMA_SQL_PATH, await freshSchemaSql(server.adminUrl));
    process.stdout.write(`wrote docs/schema.sql (from ${server.source})\n`);
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
