import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { RawRequest, RawResponse, sendRaw } from './http-client';
import { ensureServiceBuilt, productionNodeArgs, PROJECT_ROOT, SERVICE_MAIN } from '../../support/production-build';
import { freePort } from '../../support/ports';

export const ADMIN_TOKEN = 'hostile-admin-token-0123456789';
export const AUDITOR_TOKEN = 'hostile-auditor-token-0123456789';

export interface MemoryUse {
  /** Resident set now, and its high-water mark since the process started (kB, from /proc). */
  rssKb: number;
  hwmKb: number;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** The production build running as a child process on a database of its own. */
export interface ServiceProcess {
  pid: number;
  baseUrl: string;
  db: TestDatabase;
  /** A connection of the test's own (as the schema owner), to read what the database holds. */
  sql: Pool;
  send(req: RawRequest): Promise<RawResponse>;
  gql(token: string | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<RawResponse>;
  died(): boolean;
  exitDescription(): string;
  memory(): MemoryUse | null;
  /** A position in the output: outputSince(mark) gives the lines written after it. */
  mark(): number;
  outputSince(mark: number): OutputLine[];
  /** The service's JSON log lines written after `mark`. */
  logsSince(mark: number): Array<Record<string, unknown>>;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** Lines kept of the child's output (each cut at MAX_LINE_CHARS): enough for any case, bounded for the fuzz. */
const MAX_LINES = 20_000;
const MAX_LINE_CHARS = 8_192;

function readMemory(pid: number): MemoryUse | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * Starts `node <start:prod flags> dist/main.js` (built first when src is newer) on a fresh copy of the test
 * template database, and waits until /health/ready answers. `env` overrides the defaults below.
 */
export async function startService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  await ensureServiceBuilt((line) => process.stderr.write(`[hostile] ${line}\n`));
  const db = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...productionNodeArgs(), SERVICE_MAIN], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // As in production: the service connects as its least-privileged role; migrations run as the owner.
      DATABASE_URL: db.serviceUrl,
      DATABASE_OWNER_URL: db.url,
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      AUDITOR_API_TOKEN: AUDITOR_TOKEN,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      // The drain delay is the fault suite's subject; here it would only slow every stop.
      SHUTDOWN_DELAY_MS: '0',
      ...env,
    },
  });
  const pid = child.pid as number;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );

  const lines: OutputLine[] = [];
  let written = 0;
  const capture = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        lines.push({ stream, text: text.slice(0, MAX_LINE_CHARS) });
        written += 1;
        if (lines.length > MAX_LINES) lines.shift();
      }
    });
  };
  capture('stdout');
  capture('stderr');

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sql = new Pool({ connectionString: db.url, max: 3 });
  sql.on('error', () => undefined);
  const tail = (count = 40) => lines.slice(-count).map((l) => `[${l.stream}] ${l.text}`).join('\n');
  const exitDescription = () => (exit ? `exited with code ${exit.code} signal ${exit.signal}` : 'running');

  const service: ServiceProcess = {
    pid,
    baseUrl,
    db,
    sql,
    send: (req) => sendRaw(baseUrl, agent, req),
    gql(token, query, variables, headers = {}) {
      const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
      if (token !== null) all.authorization = `Bearer ${token}`;
      return sendRaw(baseUrl, agent, { headers: all, body: JSON.stringify({ query, variables }) });
    },
    died: () => exit !== null,
    exitDescription,
    memory: () => (exit ? null : readMemory(pid)),
    mark: () => written,
    outputSince(mark) {
      const kept = written - lines.length;
      return lines.slice(Math.max(0, mark - kept));
    },
    logsSince(mark) {
      return service.outputSince(mark).flatMap((line) => {
        try {
          const parsed: unknown = JSON.parse(line.text);
          return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });
    },
    tail,
    async stop() {
      agent.destroy();
      if (exit === null) {
        process.kill(pid, 'SIGTERM');
        const killed = setTimeout(() => exit === null && process.kill(pid, 'SIGKILL'), 15_000);
        killed.unref();
        await exited;
        clearTimeout(killed);
      }
      await sql.end();
      await db.drop();
    },
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exit !== null) {
      await service.stop();
      throw new Error(`the service ${exitDescription()} before it was ready:\n${tail()}`);
    }
    const ready = await service.send({ method: 'GET', path: '/health/ready', timeoutMs: 2000 }).catch(() => null);
    if (ready?.status === 200) return service;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`the service was not ready within 60 s:\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
