import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { productionNodeArgs, PROJECT_ROOT, SERVICE_MAIN } from '../../support/production-build';
import { signal } from './processes';
import { waitUntil } from './wait';

/** The production command line (package.json's start:prod): the same heap bound as in production. */
const NODE_FLAGS = productionNodeArgs();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Settings every fault test shares; a test adds DATABASE_URL or the embedded database's folder and port. */
export function serviceEnv(port: number, overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_API_TOKEN: `adm_${randomBytes(24).toString('base64url')}`,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    // Faults are under test here, not the rate limits: the POS clients and readiness probes share one address.
    RATE_LIMIT_PER_TOKEN: '0',
    RATE_LIMIT_PER_ADDRESS: '0',
    PROMOTION_REFRESH_MS: '200',
    ...overrides,
  };
  for (const name of ['DATABASE_URL', 'DATABASE_OWNER_URL', 'EMBEDDED_PG_DIR', 'EMBEDDED_PG_PORT']) {
    if (!(name in overrides)) delete env[name];
  }
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The built service in a process of its own, its JSON log kept for the test to read. */
export class ServiceProcess {
  readonly exited: Promise<Exit>;
  private output = '';
  /** Standard output alone: the JSON log lines, never cut by a chunk of standard error arriving in between. */
  private stdout = '';
  private readonly child: ChildProcess;

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [...NODE_FLAGS, SERVICE_MAIN], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk) => {
      this.output += chunk;
      this.stdout += chunk;
    });
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    // 'close', not 'exit': 'exit' may come before the last chunks of standard output, and a test reading the log
    // right after the process ended would miss the drain's last lines.
    this.exited = new Promise((resolve) => this.child.once('close', (code, sig) => resolve({ code, signal: sig })));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  /** Resolves once /health/ready answers 200; fails when the process exits first or after `timeoutMs`. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      `the service on port ${this.port} to be ready`,
      async () => {
        if (!this.running) throw new Error(`the service exited before it was ready:\n${this.tail()}`);
        return (await this.readiness()) === 200;
      },
      timeoutMs,
      100,
    );
  }

  /** The status /health/ready answers, or 0 when the connection fails. */
  readiness(): Promise<number> {
    return fetch(`http://127.0.0.1:${this.port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
  }

  kill(name: NodeJS.Signals): void {
    signal(this.pid, name);
  }

  /** For clean-up: ends the process if it still runs, by its id. */
  async end(): Promise<void> {
    if (this.running) this.kill('SIGKILL');
    await this.exited;
  }

  /** The first log entry whose message starts with `message`, with its time in epoch milliseconds. */
  logEntry(message: string): { at: number; entry: Record<string, unknown> } | null {
    for (const line of this.output.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (typeof entry.msg === 'string' && entry.msg.startsWith(message)) return { at: Date.parse(String(entry.time)), entry };
      } catch {
        // a partial line: not an entry yet
      }
    }
    return null;
  }

  /** Every log message, in order (for assertions on the sequence of the drain's steps). */
  messages(): string[] {
    return logMessages(this.stdout);
  }

  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }
}

/** The `msg` of every JSON log line of a process's output, in order ('' for a line cut short). */
export function logMessages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg);
      } catch {
        return '';
      }
    });
}
