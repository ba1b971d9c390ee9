import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createApp } from './app.factory';
import { generateToken } from './common/auth/tokens';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { setUpDatabase } from './database/database-setup';
import { EmbeddedDatabase } from './database/embedded-postgres';
import { PROJECT_ROOT, startLocalDatabase } from './database/local-database';
import { DemoCredentials, DemoSeeder } from './demo/demo-seeder';
import { ShutdownState } from './health/shutdown-state';
import { createLogger, exitAfterLogs } from './logging/logger';
import { printWelcome } from './demo/welcome';
import { ConnectionDraining } from './shutdown/connection-draining';
import { takeOverEmbeddedPostgresSignals } from './shutdown/embedded-postgres-signals';
import { drain } from './shutdown/graceful-shutdown';

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
    config = {
      ...config,
      // Both roles are the embedded database's own: the superuser migrates, the service runs as its login role.
      databaseUrl: local.serviceUrl,
      databaseOwnerUrl: local.ownerUrl,
      adminApiToken: config.adminApiToken ?? generateToken('adm'),
    };
    logger.info({ dataDir: local.database.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL started');
  }
  const setup = await setUpDatabase({ ...config, databaseUrl: config.databaseUrl as string });
  if (setup.applied) logger.info({ applied: setup.applied }, setup.applied.length ? 'migrations applied' : 'schema up to date');
  if (setup.warning) logger.warn(setup.warning);

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
  if (embedded) printWelcome(url, config.adminApiToken as string, demo, config.graphqlIde);

  // From here on the service, not the embedded-postgres package, decides when the database stops: after the drain.
  const database = embedded;
  if (database) takeOverEmbeddedPostgresSignals();
  const connections = new ConnectionDraining(app.getHttpServer());
  let stopping = false;
  let skipDelay: () => void = () => undefined;
  const skipped = new Promise<void>((resolve) => (skipDelay = resolve));
  const stop = async (signal: string) => {
    if (stopping) {
      logger.info({ signal }, 'second signal: ending the drain delay now');
      skipDelay();
      return;
    }
    stopping = true;
    logger.info({ signal, delayMs: config.shutdownDelayMs }, 'stopping');
    // The delay plus a bound for the requests in flight, the pools and the database to finish.
    const boundMs = config.shutdownDelayMs + 25_000;
    const forced = setTimeout(() => {
      logger.error({ boundMs }, 'the drain did not finish in time; exiting');
      process.exit(1);
    }, boundMs);
    forced.unref();
    try {
      await drain(
        {
          delayMs: config.shutdownDelayMs,
          markNotReady: () => (app.get(ShutdownState).draining = true),
          connections,
          closeApplication: () => app.close(),
          stopDatabase: database ? () => database.stop() : null,
          logger,
        },
        skipped,
      );
      logger.info('stopped');
      exitAfterLogs(logger, 0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      exitAfterLogs(logger, 1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The service could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
