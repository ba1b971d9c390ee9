// The bench's own database: a fresh database on DATABASE_URL's server, or an embedded PostgreSQL in a temporary
// folder. Either way it is migrated with the project's migrator and removed at the end.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './net.mjs';

const require = createRequire(import.meta.url);

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, application_name: 'loyalty-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Starts or connects to PostgreSQL, creates `loyalty_bench_<random>`, applies the migrations. */
export async function provisionDatabase({ keep, log }) {
  const name = `loyalty_bench_${randomBytes(4).toString('hex')}`;
  let serverUrl = process.env.DATABASE_URL?.trim() || null;
  let embedded = null;
  let folder = null;
  if (serverUrl === null) {
    const { startEmbeddedPostgres, usableDataDir } = require('../dist/database/embedded-postgres.js');
    folder = mkdtempSync(join(tmpdir(), 'loyalty-bench-'));
    // Also on an abrupt exit (Ctrl-C: the embedded server's own exit hook stops it and ends the process).
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    // The server runs as the `postgres` user when started by root: it must be able to enter the folder.
    chmodSync(folder, 0o755);
    const port = await freePort();
    const dataDir = usableDataDir(join(folder, 'pg'), log);
    embedded = await startEmbeddedPostgres({ dataDir, port, persistent: false });
    serverUrl = embedded.url;
    log(`embedded PostgreSQL started on 127.0.0.1:${port}`);
  } else {
    log('using the PostgreSQL server of DATABASE_URL');
  }
  const server = serverUrl;
  await withClient(server, (c) => c.query(`create database ${name}`));
  const url = withDatabase(server, name);
  const { migrate } = require('../dist/database/migrator.js');
  await migrate(url);
  const info = await withClient(url, (c) =>
    c.query(`select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers,
                    current_setting('synchronous_commit') as synchronous_commit,
                    current_setting('max_connections') as max_connections`),
  );

  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    if (embedded) {
      await embedded.stop().catch((e) => log(`embedded PostgreSQL did not stop cleanly: ${e?.message ?? e}`));
      rmSync(folder, { recursive: true, force: true });
      return;
    }
    if (keep) {
      log(`kept database ${name}`);
      return;
    }
    await withClient(server, (c) => c.query(`drop database if exists ${name} with (force)`)).catch((e) =>
      log(`could not drop database ${name}: ${e.message}`),
    );
  };
  return { url, name, embedded: embedded !== null, server: info.rows[0], drop };
}

export { withClient };

/**
 * Runs `load(client, from, to, worker)` over the rows 0..total-1 in batches of `batchSize`, spread over
 * `workers` connections (batch b goes to worker b mod workers); stops every worker at the first failure.
 * `onBatch(done, batchIndex)` reports progress. Returns the number of rows loaded.
 */
export async function loadInBatches({ url, applicationName, total, batchSize, workers, timeout, load, onBatch }) {
  const batches = Math.ceil(total / batchSize);
  let done = 0;
  let failure = null;
  const worker = async (w) => {
    const client = new pg.Client({ connectionString: url, application_name: applicationName });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`set statement_timeout = '${timeout}'`);
      for (let b = w; b < batches && failure === null; b += workers) {
        const from = b * batchSize;
        const to = Math.min(total, from + batchSize) - 1;
        await load(client, from, to, w);
        done += to - from + 1;
        onBatch?.(done, b);
      }
    } catch (error) {
      failure ??= error;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  if (failure) throw failure;
  return done;
}
