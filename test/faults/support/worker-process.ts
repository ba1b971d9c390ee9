import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { productionNodeArgs, PROJECT_ROOT } from '../../support/production-build';
import { signal } from './processes';
import { Exit, logMessages } from './service-process';
import { waitUntil } from './wait';

export const WORKER_MAIN = join(PROJECT_ROOT, 'dist', 'cli', 'ingest-worker.js');

/** `npm run ingest-worker` of the build in a process of its own (the consumers alone), its JSON log kept. */
export class WorkerProcess {
  readonly exited: Promise<Exit>;
  private output = '';
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [...productionNodeArgs(), WORKER_MAIN], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk) => (this.output += chunk));
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.once('close', (code, sig) => resolve({ code, signal: sig })));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the worker logs that it consumes; fails when it exits first or after `timeoutMs`. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      'the ingest worker to log "ingest worker ready"',
      () => {
        if (this.messages().includes('ingest worker ready')) return true;
        if (!this.running) throw new Error(`the ingest worker exited before it was ready:\n${this.tail()}`);
        return false;
      },
      timeoutMs,
      50,
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

  messages(): string[] {
    return logMessages(this.output);
  }

  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }
}
