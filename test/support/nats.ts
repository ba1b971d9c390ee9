import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from './ports';

/**
 * NATS for the JetStream tests, by the fallback chain: NATS_URL when set; else a `nats-server` on PATH that
 * the test starts on a loopback port of its own; else a container when a Docker engine answers; else the tests are
 * reported as skipped with the reason, never passed silently.
 */

export interface TestNats {
  url: string;
  /** Where it came from: 'NATS_URL', 'nats-server' or 'testcontainers'. */
  origin: string;
  close(): Promise<void>;
}

/** The absolute path of an executable named `name` on PATH, or null. */
export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

function dockerSocket(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** Why no NATS can be had for the tests, or null when one can (decided without starting anything). */
export function whyNoNats(): string | null {
  if (process.env.NATS_URL || onPath('nats-server') || dockerSocket()) return null;
  return 'no NATS: NATS_URL is unset, no nats-server on PATH and no Docker socket';
}

/** Why no three-node cluster can be started, or null: the cluster is made of nats-server processes. */
export function whyNoNatsCluster(): string | null {
  return onPath('nats-server') ? null : 'no nats-server on PATH (Debian: apt-get install nats-server)';
}

// Decided while jest collects the tests, so that skipped tests carry the reason in their names.
const noNats = whyNoNats();
if (noNats) process.stderr.write(`JetStream tests skipped: ${noNats}\n`);
const noCluster = whyNoNatsCluster();

type TestFn = (name: string, fn: () => Promise<void>, timeoutMs?: number) => void;

/** `test`, or `test.skip` with the reason in the name when no NATS can be found. */
export const natsTest: TestFn = noNats
  ? (name, fn, timeoutMs) => test.skip(`${name} [skipped: ${noNats}]`, fn, timeoutMs)
  : (name, fn, timeoutMs) => test(name, fn, timeoutMs);

/** `test`, or `test.skip` with the reason when no nats-server binary can be started for a cluster. */
export const natsClusterTest: TestFn = noCluster
  ? (name, fn, timeoutMs) => {
      process.stderr.write(`JetStream cluster test skipped: ${noCluster}\n`);
      test.skip(`${name} [skipped: ${noCluster}]`, fn, timeoutMs);
    }
  : (name, fn, timeoutMs) => test(name, fn, timeoutMs);

export async function testNats(): Promise<TestNats | null> {
  const given = process.env.NATS_URL;
  if (given) return { url: given, origin: 'NATS_URL', close: async () => undefined };

  const binary = onPath('nats-server');
  if (binary) {
    const port = await freePort();
    const storeDir = mkdtempSync(join(tmpdir(), 'loyalty-nats-'));
    const server = new NatsServerProcess(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir]);
    const url = `nats://127.0.0.1:${port}`;
    try {
      await server.start();
      await waitAnswers([url], 15_000, () => server.tail());
    } catch (error) {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
      throw error;
    }
    return {
      url,
      origin: 'nats-server',
      close: async () => {
        await server.stop();
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  }

  if (dockerSocket()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('nats:2.9-alpine')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    const url = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
    return { url, origin: 'testcontainers', close: async () => void (await container.stop()) };
  }
  return null;
}

/**
 * The event mode's settings for one test file: a stream and a subject prefix of its own, so that test files (and
 * reruns) can share one NATS server without reading each other's messages.
 */
export function natsEnv(url: string, prefix: string): Record<string, string> {
  const token = `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_${randomBytes(5).toString('hex')}`;
  return {
    INGESTION_MODE: 'jetstream',
    NATS_URL: url,
    NATS_STREAM: `TEST_${token.toUpperCase()}`,
    NATS_SUBJECT_PREFIX: `test.${token.toLowerCase()}`,
  };
}

/** Deletes the streams `natsEnv` named (the stream and its dead letters), so a shared server keeps no test data. */
export async function removeTestStreams(env: Record<string, string>): Promise<void> {
  const nc = await connect({ servers: env.NATS_URL.split(','), reconnect: false, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of [env.NATS_STREAM, `${env.NATS_STREAM}_DEAD`]) {
      await jsm.streams.delete(name).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

export interface ClusterNode {
  readonly url: string;
  readonly name: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Sends the signal and resolves once the process has ended. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same ports and store, and resolves once it answers clients. */
  restart(): Promise<void>;
}

export interface NatsCluster {
  urls: string[];
  /** NATS_URL for the service: every node as a seed. */
  url: string;
  node(index: number): ClusterNode;
  close(): Promise<void>;
}

/**
 * `nodes` nats-server processes on loopback, routed to each other as one JetStream cluster (each with a client
 * port, a route port, a server name and a store folder of its own). Resolves once the cluster has a JetStream meta
 * leader, i.e. once streams can be created.
 */
export async function startNatsCluster(nodes = 3): Promise<NatsCluster> {
  const binary = onPath('nats-server');
  if (!binary) throw new Error(`cannot start a NATS cluster: ${whyNoNatsCluster()}`);
  const clusterName = `loyalty_test_${randomBytes(3).toString('hex')}`;
  const ports = new Set<number>();
  while (ports.size < 2 * nodes) ports.add(await freePort());
  const clientPorts = [...ports].slice(0, nodes);
  const routePorts = [...ports].slice(nodes);
  const root = mkdtempSync(join(tmpdir(), 'loyalty-nats-cluster-'));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const servers = clientPorts.map((port, i) => {
    const name = `${clusterName}_n${i + 1}`;
    return {
      name,
      url: `nats://127.0.0.1:${port}`,
      process: new NatsServerProcess(binary, [
        '-js',
        '-a', '127.0.0.1',
        '-p', String(port),
        '-n', name,
        '-sd', join(root, name),
        '--cluster_name', clusterName,
        '--cluster', `nats://127.0.0.1:${routePorts[i]}`,
        '--routes', routes,
      ]),
    };
  });
  const urls = servers.map((s) => s.url);
  const close = async () => {
    await Promise.all(servers.map((s) => s.process.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((s) => s.process.start()));
    await waitAnswers(urls, 20_000, () => servers.map((s) => s.process.tail(800)).join('\n'));
    await waitForMetaLeader(urls, 30_000);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    urls,
    url: urls.join(','),
    node(index) {
      const server = servers[index];
      if (!server) throw new Error(`no node ${index} in a cluster of ${nodes}`);
      return {
        url: server.url,
        name: server.name,
        get running() {
          return server.process.running;
        },
        get pid() {
          return server.process.pid;
        },
        kill: (signal = 'SIGKILL') => server.process.kill(signal),
        restart: async () => {
          await server.process.start();
          await waitAnswers([server.url], 20_000, () => server.process.tail());
          await waitForMetaLeader(urls, 30_000);
        },
      };
    },
    close,
  };
}

/** One nats-server process; its log (standard error) is kept short, for the error message when it does not start. */
class NatsServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  constructor(
    private readonly binary: string,
    private readonly args: string[],
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('nats-server is already running');
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) return;
    try {
      process.kill(child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    await this.exited;
  }

  /** Ends the process by its id: SIGTERM (a clean shutdown), then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) return;
    const pid = child.pid;
    const forced = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    try {
      await this.kill('SIGTERM');
    } finally {
      clearTimeout(forced);
    }
  }

  tail(chars = 2000): string {
    return this.log.slice(-chars);
  }
}

/** Resolves once every one of `urls` accepts a client connection. */
async function waitAnswers(urls: string[], timeoutMs: number, state: () => string): Promise<void> {
  for (const url of urls) {
    await retry(`nats-server at ${url} to answer`, timeoutMs, async () => {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
      await nc.close();
    }, state);
  }
}

/** Resolves once the JetStream API answers (account info needs the meta leader in a cluster). */
async function waitForMetaLeader(urls: string[], timeoutMs: number): Promise<void> {
  const nc = await connect({ servers: urls, timeout: 2000 });
  try {
    await retry('the JetStream meta leader', timeoutMs, async () => {
      const jsm = await jetstreamManager(nc, { timeout: 2000 });
      await jsm.getAccountInfo();
    });
  } finally {
    await nc.close();
  }
}

async function retry(what: string, timeoutMs: number, attempt: () => Promise<void>, state: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(last as Error)?.message}\n${state()}`.trim());
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
