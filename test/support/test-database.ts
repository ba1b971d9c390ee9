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
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
