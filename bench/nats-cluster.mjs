// A three-node JetStream cluster on loopback ports for the bench: three `nats-server` processes (the binary on
// PATH) with their routes and store folders in a temporary folder, stopped by their PIDs and the folder removed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, sleep } from './net.mjs';

const NODES = 3;

/** Starts the cluster and waits until JetStream answers through it; null (with the reason logged) when it cannot. */
export async function startNatsCluster({ log, binary = 'nats-server' }) {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    log(`3-node cluster: skipped, no ${binary} binary on PATH (${version.error?.message ?? version.stderr.trim()})`);
    return null;
  }
  const folder = mkdtempSync(join(tmpdir(), 'loyalty-bench-nats-'));
  const ports = await Promise.all(Array.from({ length: NODES }, async () => ({ client: await freePort(), route: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const children = ports.map((p, i) => {
    const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(p.client), '-n', `bench-n${i + 1}`, '-js',
      '-sd', join(folder, `n${i + 1}`), '--cluster_name', 'loyalty-bench', '--cluster', `nats://127.0.0.1:${p.route}`,
      '--routes', routes], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    return { child, output: () => output };
  });
  const kill = () => children.forEach(({ child }) => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'));
  process.once('exit', kill);
  let stopped = null;
  const stop = () => (stopped ??= stopNodes());
  const stopNodes = async () => {
    await Promise.all(children.map(({ child }) => (child.exitCode !== null || child.signalCode !== null
      ? null
      : new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }))));
    process.removeListener('exit', kill);
    rmSync(folder, { recursive: true, force: true });
  };
  const servers = ports.map((p) => `nats://127.0.0.1:${p.client}`);

  // JetStream answers once the nodes have found each other and elected a meta leader.
  const deadline = Date.now() + 30_000;
  let last = null;
  while (Date.now() < deadline) {
    const exited = children.find(({ child }) => child.exitCode !== null);
    if (exited) {
      last = `a node exited: ${exited.output()}`;
      break;
    }
    let nc = null;
    try {
      nc = await connect({ servers, timeout: 1000, reconnect: false });
      await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
      const pids = children.map(({ child }) => child.pid).join(', ');
      log(`3-node cluster: nats-server pids ${pids}, client ports ${ports.map((p) => p.client).join(', ')}`);
      return { servers, version: version.stdout.trim().replace(/^nats-server:\s*/, ''), stop };
    } catch (error) {
      last = error?.message ?? String(error);
    } finally {
      await nc?.close().catch(() => undefined);
    }
    await sleep(250);
  }
  await stop();
  log(`3-node cluster: skipped, JetStream did not answer within 30 s (${last})`);
  return null;
}
