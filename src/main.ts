import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createApp } from './app.factory';
import { generateToken } from './common/auth/tokens';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { EmbeddedDatabase } from './database/embedded-postgres';
import { PROJECT_ROOT, startLocalDatabase } from './database/local-database';
import { migrate } from './database/migrator';
import { DemoCredentials, DemoSeeder } from './demo/demo-seeder';
import { ShutdownState } from './health/shutdown-state';
import { createLogger } from './logging/logger';
import { printWelcome } from './demo/welcome';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nThe service did not start.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | null = null;
  if (config.databaseUrl === null) {
    const local = await startLocalDatabase(config, (line) => logger.info(line));
    embedded = local.database;
    config = { ...config, databaseUrl: local.url, adminApiToken: config.adminApiToken ?? generateToken('adm') };
    logger.info({ dataDir: local.database.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL started');
  }
  const databaseUrl = config.databaseUrl as string;
  if (config.migrate) {
    const applied = await migrate(databaseUrl);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  }

  const app = await createApp(config, logger);
  let demo: DemoCredentials | null = null;
  if (config.seedDemo) {
    const seeder = app.get(DemoSeeder);
    const credentialsFile = join(PROJECT_ROOT, '.data', 'demo-credentials.json');
    if (await seeder.isEmpty()) {
      demo = await seeder.seed();
      // Tokens are stored hashed; the local demo keeps its plain tokens here so that a restart can show them.
      if (embedded) {
        mkdirSync(dirname(credentialsFile), { recursive: true });
        writeFileSync(credentialsFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
      }
      logger.info('demo data loaded');
    } else if (embedded && existsSync(credentialsFile)) {
      demo = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    }
  }

  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}/graphql`;
  logger.info({ url }, 'listening');
  if (embedded) printWelcome(url, config.adminApiToken as string, demo);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, finishing those in flight');
    app.get(ShutdownState).draining = true;
    const forced = setTimeout(() => {
      logger.error('in-flight work did not finish within 25 s; exiting');
      process.exit(1);
    }, 25_000);
    forced.unref();
    try {
      await app.close();
      if (embedded) await embedded.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The service could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
