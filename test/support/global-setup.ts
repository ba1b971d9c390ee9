import { Client } from 'pg';
import { migrate } from '../../src/database/migrator';
import { startTestServer, TestServer } from './database-server';

declare global {
  var __LOYALTY_TEST_SERVER__: TestServer | undefined;
}

/** Starts (or finds) one PostgreSQL for the run and migrates a template that every test file clones. */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[test db] ${line}\n`);
  const server = await startTestServer(log);
  globalThis.__LOYALTY_TEST_SERVER__ = server;
  const template = `loyalty_template_${process.pid}`;
  const admin = new Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
  } finally {
    await admin.end();
  }
  await migrate(withDatabase(server.adminUrl, template));
  process.env.LOYALTY_TEST_ADMIN_URL = server.adminUrl;
  process.env.LOYALTY_TEST_TEMPLATE = template;
  log(`using ${server.source}; template database ${template}`);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
