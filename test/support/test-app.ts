import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/logger';
import { createTestDatabase, TestDatabase } from './test-database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const AUDITOR_TOKEN = 'test-auditor-token-0123456789';

export interface GraphqlResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string }; path?: string[] }>;
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  db: TestDatabase;
  /** A direct connection, as the schema's owner, for assertions on what the database holds. */
  sql: Pool;
  config: AppConfig;
  gql<T = Record<string, unknown>>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse<T>>;
  close(): Promise<void>;
}

/** The whole service over real HTTP on a random port, on a database of its own, connected as the service's role. */
/**
 * The service on a fresh database of its own, dropped by close(); or, given `shared`, a second instance on another
 * app's database (as two instances of a deployment share one), which its close() leaves to its owner.
 */
export async function startTestApp(env: Record<string, string> = {}, shared?: TestDatabase): Promise<TestApp> {
  const db = shared ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: db.serviceUrl,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    AUDITOR_API_TOKEN: AUDITOR_TOKEN,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    DB_POOL_SIZE: '20',
    ...env,
  });
  const app = await createApp(config, createLogger(config.logLevel));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/graphql`;
  const sql = new Pool({ connectionString: db.url, max: 4 });
  // close() drops the database with force, which may cut a connection the pool is still closing.
  sql.on('error', () => undefined);
  return {
    app,
    url,
    db,
    sql,
    config,
    async gql(token, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as GraphqlResponse<never>;
    },
    async close() {
      await app.close();
      await sql.end();
      if (!shared) await db.drop();
    },
  };
}
