// The service under test: the production build started as a child process, stopped with SIGTERM by its PID.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from './net.mjs';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * The flags `npm start` and `npm run start:prod` give node (package.json): without a cap V8 lets the heap grow to
 * about 170 MB of mostly garbage under load (290 MB resident); 192 MB keeps it under 200 MB resident. Under load
 * about 25 MB/s reach the old generation, and V8's default growth left room for half a second of it: a full
 * collection twice a second, each pausing every request in flight. Growing the old generation by 100 % of what
 * survives a collection spaces them about 1.5 s apart (docs/performance.md).
 */
const SERVICE_NODE_FLAGS = ['--max-old-space-size=192', '--heap-growing-percent=100'];
/** More node flags for the service alone, e.g. BENCH_SERVICE_NODE_FLAGS=--cpu-prof to profile it under load. */
const EXTRA_NODE_FLAGS = (process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export async function startService({ databaseUrl, port, adminToken, env: extra = {} }) {
  const env = {
    ...process.env,
    ...extra,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    DATABASE_URL: databaseUrl,
    ADMIN_API_TOKEN: adminToken,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    // The redemption scenarios send everything with the one ADMIN token: at the default 1,000 requests a second
    // per token they would measure the rate limit, not the service. The limiter still runs (the same work per
    // request); the purchase scenarios spread over 10 POS tokens and never reach the default anyway.
    RATE_LIMIT_PER_TOKEN: process.env.RATE_LIMIT_PER_TOKEN ?? '1000000',
  };
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...EXTRA_NODE_FLAGS, 'dist/main.js'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-8000));
  // BENCH_SERVICE_OUTPUT=file keeps all the service's output (with --trace-gc, say), not only its tail.
  if (process.env.BENCH_SERVICE_OUTPUT) {
    const file = createWriteStream(process.env.BENCH_SERVICE_OUTPUT);
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  }
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const service = {
    pid: child.pid,
    output: () => output,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** Highest resident set size of the process so far (VmHWM), in MB; null where /proc is not available. */
    peakRssMb() {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb ? Number(kb) / 1024 : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (!service.running) return exited;
      child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(30_000).then(() => null)]);
      if (result) return result;
      child.kill('SIGKILL');
      return exited;
    },
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!service.running) throw new Error(`the service exited during start:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ready) return service;
    await sleep(200);
  }
  await service.stop();
  throw new Error(`the service was not ready within 60 s:\n${output}`);
}
