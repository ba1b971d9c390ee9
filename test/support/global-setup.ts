import { Client } from 'pg';
import { migrate } from '../../src/database/migrator';
import { SERVICE_GROUP_ROLE } from '../../src/database/service-role';
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
  await ensureServiceLogin(server.adminUrl);
  process.env.LOYALTY_TEST_ADMIN_URL = server.adminUrl;
  process.env.LOYALTY_TEST_SERVICE_URL = withLogin(server.adminUrl, TEST_SERVICE_LOGIN, TEST_SERVICE_PASSWORD);
  process.env.LOYALTY_TEST_TEMPLATE = template;
  log(`using ${server.source}; template database ${template}`);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The role every test app connects as: a member of the service's group role and nothing else, so the whole suite
 * proves that the grants of the migrations are enough. A fixed password: some servers of the fallback chain ask
 * for one, a trusting one ignores it.
 */
export const TEST_SERVICE_LOGIN = 'loyalty_test_service';
export const TEST_SERVICE_PASSWORD = 'loyalty-test-service';

/** Roles belong to the cluster, which concurrent test runs may share: made once, each step tolerant of a race. */
async function ensureServiceLogin(adminUrl: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`do $$
      begin
        if not exists (select from pg_roles where rolname = '${TEST_SERVICE_LOGIN}') then
          create role ${TEST_SERVICE_LOGIN} login password '${TEST_SERVICE_PASSWORD}';
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
    await admin.query(`do $$
      begin
        if not pg_has_role('${TEST_SERVICE_LOGIN}', '${SERVICE_GROUP_ROLE}', 'MEMBER') then
          grant ${SERVICE_GROUP_ROLE} to ${TEST_SERVICE_LOGIN};
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
  } finally {
    await admin.end();
  }
}

export function withLogin(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}
