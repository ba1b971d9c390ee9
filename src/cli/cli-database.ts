import { Client } from 'pg';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { startLocalDatabase } from '../database/local-database';
import { migrate } from '../database/migrator';

export interface CliDatabase {
  url: string;
  /** Stops the embedded database when this command started it. */
  close(): Promise<void>;
}

/**
 * The validated configuration of every command (src/cli), the one way they read the environment. The ADMIN
 * token is the service's business, so a command needs none (unset and empty alike); a command's log is for
 * warnings unless LOG_LEVEL asks for more, since its output is what the operator reads.
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  return loadConfig({
    ...env,
    ADMIN_API_TOKEN: env.ADMIN_API_TOKEN?.trim() || 'not-needed-by-this-command',
    LOG_LEVEL: env.LOG_LEVEL?.trim() || 'warn',
  });
}

/**
 * The database a command works on, found the way `npm start` finds it: DATABASE_URL, else the project's
 * embedded PostgreSQL. When `npm start` already runs that one, the command uses it as it is; otherwise the command
 * starts it (migrated, as the service would) and stops it when done. Messages go to `log`, never to stdout,
 * which may be carrying an export.
 */
export async function openCliDatabase(config: AppConfig, log: (line: string) => void): Promise<CliDatabase> {
  if (config.databaseUrl !== null) return { url: config.databaseUrl, close: async () => undefined };
  // The embedded server's fixed credentials (src/database/embedded-postgres.ts) and the database of local-database.ts.
  const running = `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/loyalty`;
  if (await answers(running)) {
    log(`using the embedded PostgreSQL already running on port ${config.embeddedPgPort}`);
    return { url: running, close: async () => undefined };
  }
  const local = await startLocalDatabase(config, log);
  try {
    if (config.migrate) await migrate(local.ownerUrl);
  } catch (error) {
    await local.database.stop();
    throw error;
  }
  // An operator's command on the operator's own database: it runs as the owner, as a `npm start` in progress is found.
  return { url: local.ownerUrl, close: () => local.database.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs a command's main: a configuration problem or a failure is one line on stderr and exit code 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  });
}
