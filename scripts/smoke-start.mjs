#!/usr/bin/env node
// A newcomer's first run, automated: start the built service with no DATABASE_URL (so on the embedded
// PostgreSQL, in a fresh data folder), wait until it is ready, paste the example requests it prints, check that
// they credit and redeem points, then stop it with SIGTERM and expect a clean exit. Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = 3000 + Math.floor(Math.random() * 2000) + 20000;
const pgPort = port + 1;
const dataParent = mkdtempSync(join(tmpdir(), 'loyalty-smoke-'));
chmodSync(dataParent, 0o755);
// A short drain delay: the stop is checked for a clean exit, not timed (test/faults/sigterm-drain.test.ts does that).
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(pgPort), EMBEDDED_PG_DIR: join(dataParent, 'pg'), SHUTDOWN_DELAY_MS: '200' };
delete env.DATABASE_URL;
delete env.ADMIN_API_TOKEN;

const child = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

function fail(message) {
  console.error(`smoke: FAILED: ${message}\n--- service output ---\n${output.slice(-4000)}`);
  child.kill('SIGKILL');
  rmSync(dataParent, { recursive: true, force: true });
  process.exit(1);
}

const deadline = Date.now() + 90_000;
for (;;) {
  if (Date.now() > deadline) fail('the service was not ready within 90 s');
  if (child.exitCode !== null) fail(`the service exited early with code ${child.exitCode}`);
  const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
  if (ready && output.includes('Record a purchase')) break;
  await new Promise((r) => setTimeout(r, 250));
}

const token = /authorization: Bearer (pos_[\w-]+)/.exec(output)?.[1];
const body = /-d '(\{"query":"mutation.*)'$/m.exec(output)?.[1];
if (!token || !body) fail('the start-up banner has no example request');
const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body,
}).then((r) => r.json());
const points = response?.data?.recordPurchase?.pointsAwarded;
if (points !== '3798' || response.data.recordPurchase.replayed !== false) {
  fail(`the example request did not credit 3798 points: ${JSON.stringify(response)}`);
}

// The banner's redemption request, with the demo's REWARDS token: Alan's demo balance (15984 - 5000) covers it.
const rewardsToken = /authorization: Bearer (rwd_[\w-]+)/.exec(output)?.[1];
const redemption = /-d '(\{"query":"mutation\(\$input: RedeemPointsInput!\).*)'$/m.exec(output)?.[1];
if (!rewardsToken || !redemption) fail('the start-up banner has no redemption request');
const redeem = () =>
  fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${rewardsToken}` },
    body: redemption,
  }).then((r) => r.json());
const first = (await redeem())?.data?.redeemPoints;
const again = (await redeem())?.data?.redeemPoints;
if (first?.customerBalance !== '9984' || first.replayed !== false || first.redemption?.status !== 'COMPLETED' || again?.replayed !== true) {
  fail(`the banner's redemption request did not redeem 1000 points once: ${JSON.stringify({ first, again })}`);
}

child.kill('SIGTERM');
const { code } = await exited;
rmSync(dataParent, { recursive: true, force: true });
if (code !== 0) fail(`the service exited with code ${code} after SIGTERM`);
console.log('smoke: embedded start, example purchase (3798 points), example redemption (1000 points, then a replay) and SIGTERM stop: ok');
