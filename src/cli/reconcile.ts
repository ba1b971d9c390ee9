import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { ConfigError } from '../config/config';
import { createLogger, NestPinoLogger } from '../logging/logger';
import { ReconcileCommandModule } from '../reconciliation/reconcile-command.module';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { formatSummary, reportToJson } from '../reconciliation/reconciliation-summary';
import { loadCliConfig, openCliDatabase } from './cli-database';

const USAGE = `usage: npm run reconcile -- [--full] [--json]
  --full   read everything (default: incremental from the latest clean run's watermark; full when there is none)
  --json   print one JSON document instead of the summary
Checks the database of DATABASE_URL or, without it, the embedded database of \`npm start\`.
Exit code: 0 no drift (clean, or an empty ledger), 1 drift found, 2 could not run.`;

const EXIT = { clean: 0, drift: 1, cannotRun: 2 } as const;

/** Thrown for what the operator must fix before a run can happen: exit 2 with the message alone. */
class CannotRun extends Error {}
class UsageError extends CannotRun {}

function parseArgs(argv: string[]): { full: boolean; json: boolean; help: boolean } {
  const options = { full: false, json: argv.includes('--json'), help: false };
  for (const arg of argv) {
    if (arg === '--full') options.full = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg !== '--json') throw new UsageError(`unknown argument ${arg}`);
  }
  return options;
}

/** A database the reconciliation can run on: reachable and migrated (0003 added what it needs). */
async function assertReady(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new CannotRun(`the database does not answer: ${(error as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ ready: boolean }>("select to_regclass('reconciliation_runs') is not null as ready");
    if (!rows[0].ready) throw new CannotRun('the database lacks migration 0003_reconciliation.sql: run `npm run migrate` first');
  } finally {
    await client.end();
  }
}

async function reconcile(argv: string[], print: (text: string) => void): Promise<number> {
  const options = parseArgs(argv);
  if (options.help) {
    print(`${USAGE}\n`);
    return EXIT.clean;
  }
  const config = loadCliConfig();
  const logger = createLogger(config.logLevel, 'stderr');
  // DATABASE_URL, else the embedded database of `npm start` (started and migrated for this run if it is down).
  const database = await openCliDatabase(config, (line) => logger.info(line));
  const url = database.url;
  try {
    await assertReady(url);
    const app = await NestFactory.createApplicationContext(
      ReconcileCommandModule.forConfig({ ...config, databaseUrl: url }),
      { logger: new NestPinoLogger(logger), abortOnError: false },
    );
    try {
      const report = await app.get(ReconciliationService).run({ full: options.full });
      print(options.json ? `${JSON.stringify(reportToJson(report), null, 2)}\n` : formatSummary(report));
      return report.status === 'drift' ? EXIT.drift : report.status === 'error' ? EXIT.cannotRun : EXIT.clean;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const exit = (code: number, text: string) => process.stdout.write(text, () => process.exit(code));
  reconcile(argv, (text) => process.stdout.write(text)).then(
    (code) => exit(code, ''),
    (error: unknown) => {
      const message = error instanceof CannotRun || error instanceof ConfigError ? error.message : String((error as Error)?.message ?? error);
      process.stderr.write(`reconcile: could not run: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
      exit(EXIT.cannotRun, json ? `${JSON.stringify({ status: 'error', error: message }, null, 2)}\n` : '');
    },
  );
}
