import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { IngestWorkerModule } from '../ingestion/jetstream/ingest-worker.module';
import { PurchaseConsumers } from '../ingestion/jetstream/purchase-consumers';
import { createLogger, exitAfterLogs, NestPinoLogger } from '../logging/logger';

/**
 * `npm run ingest-worker`: event mode's consumer on its own, to scale recording apart from the HTTP service. It
 * pulls from the same durable consumer as the service's loops (INGEST_CONSUMERS loops, at least one), records
 * through the same batch path, and on SIGTERM or SIGINT stops pulling, finishes the batches in hand and exits 0.
 */

/** What the operator must fix before the worker can run: the message alone, exit code 1. */
class CannotStart extends Error {}

function workerConfig(env: Record<string, string | undefined>): AppConfig {
  if (!env.DATABASE_URL?.trim()) throw new CannotStart('DATABASE_URL is required: the worker records into that database');
  if (!env.NATS_URL?.trim()) throw new CannotStart('NATS_URL is required: the worker consumes from that NATS');
  const config = loadConfig({
    ...env,
    // The ADMIN token is the HTTP service's business; the worker consumes whatever INGESTION_MODE says there.
    ADMIN_API_TOKEN: env.ADMIN_API_TOKEN?.trim() || 'not-needed-by-the-worker',
    INGESTION_MODE: 'jetstream',
  });
  if (config.ingestion.consumers < 1) throw new CannotStart('INGEST_CONSUMERS must be at least 1 for the worker');
  return config;
}

/** The schema the worker writes to must be migrated up to the refusals table (0013). */
async function assertReady(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new CannotStart(`the database does not answer: ${(error as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ ready: boolean }>("select to_regclass('submission_refusals') is not null as ready");
    if (!rows[0].ready) throw new CannotStart('the database lacks migration 0013_submission_refusals.sql: run `npm run migrate` first');
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const config = workerConfig(process.env);
  const logger = createLogger(config.logLevel).child({ component: 'ingest-worker' });
  await assertReady(config.databaseUrl as string);
  const app = await NestFactory.createApplicationContext(IngestWorkerModule.forConfig(config), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  await app.init();
  const { stream, consumer, consumers, batchSize } = config.ingestion;
  logger.info({ stream, consumer, loops: app.get(PurchaseConsumers).running, batchSize }, 'ingest worker ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, loops: consumers }, 'stopping: finishing the batches in hand');
    app.close().then(
      () => {
        logger.info('ingest worker stopped');
        exitAfterLogs(logger, 0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        exitAfterLogs(logger, 1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const known = error instanceof CannotStart || error instanceof ConfigError;
  const message = known ? (error as Error).message : String((error as Error)?.stack ?? error);
  process.stderr.write(`ingest-worker: could not start: ${message}\n`);
  process.exit(1);
});
