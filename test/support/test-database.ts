import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from './global-setup';

export interface TestDatabase {
  /** As the owner of the schema (a role that may create databases): for assertions and for tampering. */
  url: string;
  /** As the service's role (migrations/0009_service_role.sql): what the service and its commands connect as. */
  serviceUrl: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: requiredEnv('LOYALTY_TEST_ADMIN_URL') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (its globalSetup prepares the database)`);
  return value;
}

/** A fresh, migrated database of its own for one test file: a copy of the template (milliseconds). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `loyalty_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name} template ${requiredEnv('LOYALTY_TEST_TEMPLATE')}`));
  return {
    name,
    url: withDatabase(requiredEnv('LOYALTY_TEST_ADMIN_URL'), name),
    serviceUrl: withDatabase(requiredEnv('LOYALTY_TEST_SERVICE_URL'), name),
    drop: () => admin((c) => dropDatabase(c, name)),
  };
}

/**
 * Drops a test database once the sessions still closing on it have gone (a pool's end() may resolve before its
 * sockets close), forcing only the ones left after a bound: a forced drop cuts a closing connection with 57P01,
 * which a pool without an error listener raises as an unhandled error in whichever test file runs then.
 */
async function dropDatabase(client: Client, name: string): Promise<void> {
  const deadline = Date.now() + 2000;
  const sessions = async () =>
    Number((await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name])).rows[0].n);
  while ((await sessions()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await client.query(`drop database if exists ${name} with (force)`);
}
