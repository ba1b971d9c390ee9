import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/ports';
import { stopPostmaster } from './postmaster';
import { signal } from './processes';
import { waitUntil } from './wait';

/** PostgreSQL's own shutdown modes: fast rolls back and disconnects sessions; immediate quits without a checkpoint. */
export type StopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL server that one test owns: embedded (the project's npm package), in a temporary folder, on a free
 * port. The test can stop it the way an outage would and start it again on the same data; destroy() removes
 * everything, whatever state the server is in.
 */
export class FaultPostgres {
  private host: ChildProcess | null = null;
  url = '';

  private constructor(
    private readonly parent: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<FaultPostgres> {
    const parent = mkdtempSync(join(tmpdir(), 'loyalty-faults-'));
    chmodSync(parent, 0o755); // as root the server runs as the `postgres` user, which must enter this folder
    const server = new FaultPostgres(parent, join(parent, 'pg'), await freePort());
    await server.start();
    return server;
  }

  /** Starts the server (creating the cluster the first time) and resolves once it accepts connections. */
  async start(): Promise<void> {
    const host = spawn(process.execPath, [join(__dirname, 'postgres-host.js'), this.dataDir, String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.host = host;
    let stdout = '';
    let stderr = '';
    host.stdout?.on('data', (chunk) => (stdout += chunk));
    host.stderr?.on('data', (chunk) => (stderr += chunk));
    await waitUntil(
      'the embedded PostgreSQL to start',
      () => {
        if (host.exitCode !== null) throw new Error(`the embedded PostgreSQL did not start: ${stderr.trim()}`);
        return stdout.includes('\n');
      },
      90_000,
    );
    this.url = (JSON.parse(stdout.split('\n')[0]) as { url: string }).url;
  }

  /** Stops the server in the given mode, as an operator or a crash would, and waits until it has exited. */
  async stop(mode: StopMode): Promise<void> {
    await stopPostmaster(this.dataDir, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await this.endHost();
  }

  /** Stops whatever still runs and removes the folder. Safe to call in any state, more than once. */
  async destroy(): Promise<void> {
    await stopPostmaster(this.dataDir, 'SIGINT', 15_000).catch(() => undefined);
    await this.endHost();
    rmSync(this.parent, { recursive: true, force: true });
  }

  /** The host process has nothing left to do once its server is gone; it is ended by its own id. */
  private async endHost(): Promise<void> {
    const host = this.host;
    this.host = null;
    if (!host || host.exitCode !== null || host.signalCode !== null) return;
    const exited = new Promise((resolve) => host.once('exit', resolve));
    signal(host.pid as number, 'SIGKILL');
    await exited;
  }
}
