import 'reflect-metadata';
import { statSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { isUUID } from 'class-validator';
import { Client } from 'pg';
import { ConfigError } from '../config/config';
import { ImportCommandModule, ImportRetailers } from '../ingestion/import/import-command.module';
import { formatImportSummary, ImportCounts, ItemOutcome, runImport } from '../ingestion/import/import-run';
import { createLogger, NestPinoLogger } from '../logging/logger';
import { itemErrorOf } from '../purchases/item-error';
import { PurchaseBatchService } from '../purchases/purchase-batch.service';
import { loadCliConfig, openCliDatabase } from './cli-database';
import { ImportProgress } from './import-progress';

const USAGE = `usage: npm run import -- <file> --retailer <retailer id> [--format ndjson|csv] [--refused <path>]
  <file>       NDJSON (one RecordPurchaseInput object a line) or CSV (a header row naming the columns:
               transactionId, customerId, productId, quantity, unitPriceCents, purchasedAt); the format is
               the file's extension (.csv, else NDJSON) unless --format says
  --retailer   the retailer the sales are recorded for (its time zone and region select the promotions)
  --refused    where the refused lines go with their reasons (default: <file>.refused.ndjson)
Each line is recorded exactly as recordPurchase would, through the batch path; rerunning a file credits nothing twice.
DATABASE_URL selects the database; without it, the embedded one of \`npm start\`.
Exit code: 0 every line recorded or replayed, 1 some refused, 2 could not run.`;

const EXIT = { allRecorded: 0, someRefused: 1, cannotRun: 2 } as const;
const CHUNK = 500;

/** What the operator must fix before a run can happen: exit 2 with the message alone. */
class CannotRun extends Error {}
class UsageError extends CannotRun {}

interface Options {
  file: string;
  retailerId: string;
  format: 'ndjson' | 'csv';
  refusedPath: string;
}

function parseArgs(argv: string[]): Options | 'help' {
  const valued = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (['--retailer', '--format', '--refused'].includes(arg)) {
      if (i + 1 >= argv.length || valued.has(arg)) throw new UsageError(`${arg} needs one value`);
      valued.set(arg, argv[++i]);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError('give exactly one file');
  const retailerId = valued.get('--retailer');
  if (retailerId === undefined || !isUUID(retailerId)) throw new UsageError('--retailer must be a retailer id (a UUID)');
  const format = valued.get('--format') ?? (files[0].toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson');
  if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format is ndjson or csv');
  return { file: files[0], retailerId: retailerId.toLowerCase(), format, refusedPath: valued.get('--refused') ?? `${files[0]}.refused.ndjson` };
}

async function assertDatabaseAnswers(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new CannotRun(`the database does not answer: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function outcomeOf(result: Awaited<ReturnType<PurchaseBatchService['recordAll']>>[number]): ItemOutcome {
  if (result.ok) return { status: result.value.replayed ? 'replayed' : 'recorded' };
  return { status: 'refused', ...itemErrorOf(result.error) };
}

async function importFile(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.allRecorded;
  }
  let size: number;
  try {
    size = statSync(options.file).size;
  } catch (error) {
    throw new CannotRun(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const config = loadCliConfig();
  const logger = createLogger(config.logLevel, 'stderr');
  const database = await openCliDatabase(config, (line) => logger.info(line));
  try {
    await assertDatabaseAnswers(database.url);
    const app = await NestFactory.createApplicationContext(ImportCommandModule.forConfig({ ...config, databaseUrl: database.url }), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    try {
      const retailer = await app.get(ImportRetailers).find(options.retailerId);
      if (retailer === null) throw new CannotRun(`no retailer ${options.retailerId}`);
      // Not exported by PurchasesModule: the command takes the very service the recordPurchases resolver uses.
      const batch = app.get(PurchaseBatchService, { strict: false });
      const progress = new ImportProgress(process.stderr, size);
      const started = Date.now();
      let counts: ImportCounts;
      try {
        counts = await runImport({
          ...options,
          chunkSize: CHUNK,
          record: async (inputs) => (await batch.recordAll(retailer, inputs, new Date())).map(outcomeOf),
          progress: (c, bytesRead) => progress.update(c.lines, bytesRead),
        });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        // An unreadable file, a refused-lines file that cannot be written, a CSV without a usable header.
        throw e.code !== undefined || !(e instanceof Error) || /CSV/.test(e.message) ? new CannotRun(e.message) : e;
      }
      progress.finish(counts.lines, size);
      process.stdout.write(formatImportSummary(counts, (Date.now() - started) / 1000, options.refusedPath));
      return counts.refused > 0 ? EXIT.someRefused : EXIT.allRecorded;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  importFile(process.argv.slice(2)).then(exit, (error: unknown) => {
    const known = error instanceof CannotRun || error instanceof ConfigError;
    const message = known ? (error as Error).message : String((error as Error)?.message ?? error);
    process.stderr.write(`import: could not run: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
    exit(EXIT.cannotRun);
  });
}
