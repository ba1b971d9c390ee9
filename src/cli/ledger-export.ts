import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { exportLedger } from '../audit/ledger-export';
import { loadCliConfig, openCliDatabase, runCli } from './cli-database';
import { EXPORT_USAGE, parseExportOptions } from './ledger-export-options';
import { ProgressBar } from './progress-bar';

/**
 * `npm run ledger:export -- --from … --to … --format ndjson|csv [--out file]`: ledger entries with their
 * transactions, streamed to stdout or a file. Diagnostics and the progress bar go to stderr only.
 */
async function main(): Promise<void> {
  const options = parseExportOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const database = await openCliDatabase(loadCliConfig(), log);
  const client = new Client({ connectionString: database.url, application_name: 'loyalty-ledger-export' });
  // A file is written beside its final name and renamed when complete: an interrupted export leaves no file
  // that looks whole.
  const partial = options.out ? `${options.out}.partial` : null;
  const output: Writable = partial ? createWriteStream(partial) : process.stdout;
  // A reader that stops early (`| head`) closes the pipe (EPIPE): that ends the export, it is not a failure.
  let outputError: NodeJS.ErrnoException | null = null;
  output.on('error', (error: NodeJS.ErrnoException) => (outputError ??= error));
  const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  const started = Date.now();
  try {
    await client.connect();
    const result = await exportLedger(client, {
      from: options.from,
      to: options.to,
      format: options.format,
      write: async (chunk) => {
        if (outputError) throw outputError;
        if (!output.write(chunk)) await once(output, 'drain');
      },
      progress: bar ? { onTotal: (total) => bar.start(total), onEntries: (done) => bar.update(done) } : undefined,
    });
    bar?.finish(result.entries);
    if (outputError) throw outputError;
    if (partial) {
      output.end();
      await once(output, 'finish');
      renameSync(partial, options.out as string);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`exported ${result.entries} entries of ${result.transactions} transactions (${options.format}) in ${seconds} s`);
  } catch (error) {
    if (partial) {
      output.destroy();
      rmSync(partial, { force: true });
    }
    if ((outputError as NodeJS.ErrnoException | null)?.code !== 'EPIPE') throw error;
  } finally {
    await client.end().catch(() => undefined);
    await database.close();
  }
}

if (require.main === module) runCli(main);
