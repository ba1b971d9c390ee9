#!/usr/bin/env node
// `npm run bench`: the production build of the service under recordPurchase load (scenarios a-d over HTTP),
// the raw node-postgres baseline in the same run, batches of 500 (scenario g) and their raw batched baseline, then
// redeemPoints load (scenarios e-f, unless --skip-redemptions), SQL verification after each, and one summary.
// --events adds scenario h (submitPurchase in event ingestion mode); --jetstream runs only JetStream's publish grid.
import { randomBytes } from 'node:crypto';
import { findPostmaster, machineBusy, measureCpu } from './cpu.mjs';
import pg from 'pg';
import { runBaseline } from './baseline.mjs';
import { BATCH, runBatchScenario, runRawBatched } from './batches.mjs';
import { EVENT_USAGE, EVENTS, eventChecks, formatEventLines, runEventScenario, takeEventOptions } from './events.mjs';
import { natsServers, runJetStreamBench } from './jetstream-publish.mjs';
import { runRawBatchGrid } from './raw-batch.mjs';
import { loadDataset } from './dataset.mjs';
import { provisionDatabase } from './database.mjs';
import { loadHistory } from './history.mjs';
import { freePort } from './net.mjs';
import { parseOptions } from './options.mjs';
import { fundCustomers, redemptionCustomers, REDEMPTION_SCENARIOS, runRedemptions } from './redemptions.mjs';
import { formatChecks, formatMedians, formatRedemptionSummary, formatSummary, formatTable, medianRun } from './report.mjs';
import { runScenario, SCENARIOS } from './scenarios.mjs';
import { startService } from './service.mjs';
import { createTraffic } from './traffic.mjs';
import { snapshotBalances, verifyRedemptions } from './verify-redemptions.mjs';
import { verifyLedger, verifyScenario, waitForQuiet } from './verify.mjs';

const log = (line) => console.log(line);
const cleanups = [];
let cleaning = null;
/** Stops what the run started, newest first, once: every caller waits for the same clean-up. */
function cleanUp() {
  cleaning ??= (async () => {
    while (cleanups.length) await cleanups.pop()().catch((e) => log(`clean-up: ${e?.message ?? e}`));
  })();
  return cleaning;
}
// A closed pipe (`npm run bench | head`) must not end the run before the service and database are stopped.
process.stdout.on('error', () => undefined);
process.once('uncaughtException', (error) => {
  log(`bench: ${error?.stack ?? error}`);
  cleanUp().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`\n${signal}: stopping`);
    cleanUp().finally(() => process.exit(130));
  });
}

async function main() {
  const { flags: eventOptions, rest } = takeEventOptions(process.argv.slice(2));
  const options = parseOptions(rest);
  if (options.help) return log(options.help.replace('\nWithout', `${EVENT_USAGE}\nWithout`)), 0;
  const runId = randomBytes(3).toString('hex');
  const seconds = options.duration;
  const connections = options.connections;

  const idle = await machineBusy(1000);
  if (idle !== null && idle > 30) log(`warning: ${idle.toFixed(0)}% of a core was busy before the run: other work skews the figures`);
  if (eventOptions.jetstream) {
    // NATS alone: no database, no service.
    const { ok, measured } = await runJetStreamBench({ cluster: eventOptions.cluster, log, defer: (fn) => cleanups.push(fn) });
    if (measured === 0) log('\nnothing measured');
    else log(ok ? '\nverification: all checks OK' : '\nverification: FAILED (see FAIL lines above)');
    return ok ? 0 : 1;
  }
  const db = await provisionDatabase({ keep: options.keep, log });
  cleanups.push(db.drop);
  const client = new pg.Client({ connectionString: db.url, application_name: 'loyalty-bench' });
  client.on('error', (error) => log(`bench: database connection lost: ${error.message}`));
  await client.connect();
  cleanups.push(() => client.end());

  const started = Date.now();
  const dataset = await loadDataset(client);
  // What autovacuum does soon after such a load; left to it, its work would land inside the first scenario.
  await client.query('vacuum analyze');
  await client.query('checkpoint').catch(() => undefined);
  log(`data set: ${dataset.customers.length.toLocaleString('en-US')} customers, ${dataset.retailers.length} retailers, ` +
    `${dataset.promoted.length} products with a promotion, ${dataset.plain.length} without (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  if (options.rawBatch) {
    // The database alone: no service is started, no HTTP scenario runs.
    const pids = { postmaster: await findPostmaster(client, db.url) };
    log(`PostgreSQL ${db.server.version} (${db.embedded ? 'embedded' : 'DATABASE_URL'}, shared_buffers ${db.server.shared_buffers}, ` +
      `synchronous_commit ${db.server.synchronous_commit}); raw batched grid, ${seconds} s per cell, fresh connections per cell\n`);
    const ok = await runRawBatchGrid({ url: db.url, client, traffic: createTraffic(dataset), pids, runId, seconds, log });
    log(ok ? '\nverification: all checks OK' : '\nverification: FAILED (see FAIL lines above)');
    return ok ? 0 : 1;
  }

  const port = await freePort();
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`;
  const service = await startService({ databaseUrl: db.url, port, adminToken });
  cleanups.push(() => service.stop());
  const s = db.server;
  const startRss = service.peakRssMb();
  log(`service: node dist/main.js, pid ${service.pid}, ${startRss === null ? '' : `${startRss.toFixed(0)} MB after start, `}` +
    `DB_POOL_SIZE=${process.env.DB_POOL_SIZE ?? '(service default)'}; ` +
    `PostgreSQL ${s.version} (${db.embedded ? 'embedded' : 'DATABASE_URL'}, shared_buffers ${s.shared_buffers}, ` +
    `synchronous_commit ${s.synchronous_commit}, max_connections ${s.max_connections})`);
  log(`load: ${connections} connections, ${seconds} s per scenario, warm-up ${options.warmup} s\n`);

  const pids = { service: service.pid, postmaster: await findPostmaster(client, db.url) };
  const traffic = createTraffic(dataset);
  const rows = [];
  const results = {};
  let failed = false;
  // Each kind of scenario: what its rate counts, its own checks (then the ledger's), its table.
  const PURCHASES = { unit: 'purchases/s', check: verifyScenario, rows };
  const REDEMPTIONS = { unit: 'redemptions/s', check: verifyRedemptions, rows: [] };

  const verify = async (result, prefix, label, kind = PURCHASES) => {
    if (!service.running) throw new Error(`the service exited during ${result.title}:\n${service.output()}`);
    await waitForQuiet(client);
    const checks = [...(await kind.check(client, { prefix, ...result })), ...(await verifyLedger(client))];
    if (checks.some((c) => !c.ok)) failed = true;
    // The raw baselines do not go through the service: its memory is not theirs.
    if (!label.startsWith('raw')) result.rssMb = service.peakRssMb();
    const per = result.latencyPer ? ` per ${result.latencyPer}` : '';
    log(`${result.title}: ${result.perSecond.toFixed(0)} ${kind.unit}, p50 ${result.p50.toFixed(1)} ms${per}, ` +
      `p99 ${result.p99.toFixed(1)} ms${per}, ${result.errors} errors${result.errors ? ` (${result.errorDetail})` : ''}` +
      `${result.unanswered.length ? `, ${result.unanswered.length} in flight at the end (left out of the counts)` : ''}`);
    log(formatChecks(label, checks));
    kind.rows.push(result);
    return result;
  };
  const scenario = async (definition, title = definition.title, key = definition.key) => {
    const prefix = `${key}-${runId}-`;
    const cpu = measureCpu(pids);
    const result = await runScenario({ port, traffic, scenario: definition, prefix, connections, seconds });
    Object.assign(result, cpu());
    result.title = title;
    return verify(result, prefix, key);
  };

  // Redemptions spend points: the customers they use are funded once, before the first of them, so that the
  // purchase scenarios of the first round run on the same database as with --skip-redemptions.
  let funded = null;
  const fund = async () => {
    funded = redemptionCustomers(dataset);
    const { credited, seconds: took } = await fundCustomers({ url: db.url, customers: funded.all, runId });
    await client.query('vacuum analyze account_balances, points_adjustments');
    log(`redemptions: ${credited.toLocaleString('en-US')} customers funded through adjust_points() (${took.toFixed(1)} s)`);
    const warm = await runRedemptions({ port, token: adminToken, funded, scenario: REDEMPTION_SCENARIOS[1],
      prefix: `rwarm-${runId}-`, connections, seconds: Math.min(options.warmup, 3) });
    log(`redemptions warm-up: ${warm.perSecond.toFixed(0)} redemptions/s, ${warm.errors} errors${warm.errors ? ` (${warm.errorDetail})` : ''}`);
  };
  const redemptionScenario = async (definition, title, key) => {
    if (funded === null) await fund();
    const prefix = `${key}-${runId}-`;
    await waitForQuiet(client);
    const before = await snapshotBalances(client, funded.all);
    const cpu = measureCpu(pids);
    const result = await runRedemptions({ port, token: adminToken, funded, scenario: definition, prefix, connections, seconds });
    Object.assign(result, cpu(), { title, before });
    return verify(result, prefix, key, REDEMPTIONS);
  };

  const warm = await runScenario({ port, traffic, scenario: SCENARIOS[0], prefix: `warm-${runId}-`, connections, seconds: options.warmup });
  log(`warm-up: ${warm.perSecond.toFixed(0)} purchases/s, ${warm.errors} errors${warm.errors ? ` (${warm.errorDetail})` : ''}`);
  await runBaseline({ url: db.url, traffic, prefix: `rawwarm-${runId}-`, connections, seconds: Math.min(options.warmup, 3) });
  await waitForQuiet(client);

  // With --repeat the rounds interleave (a, raw, b, c, d, g, raw batched, a, raw, ...), so that a slow minute of the machine
  // lands on every scenario rather than on one.
  const runs = { a: [], raw: [], [BATCH.key]: [], 'raw batched': [] };
  const eventRuns = [];
  // Scenario h's checks: the scenario's own (accepted = recorded once, points exact), then all recorded in time and
  // no dead letters.
  const EVENT_KIND = { ...PURCHASES, check: async (c, r) => [...(await verifyScenario(c, r)), ...eventChecks(r)] };
  const redemptionRuns = {};
  const round = (n) => (options.repeat > 1 ? ` #${n}` : '');
  for (let n = 1; n <= options.repeat; n++) {
    runs.a.push(await scenario(SCENARIOS[0], `${SCENARIOS[0].title}${round(n)}`, `a${n}`));
    const rawPrefix = `raw${n}-${runId}-`;
    const raw = await runBaseline({ url: db.url, traffic, prefix: rawPrefix, connections, seconds, measure: measureCpu(pids) });
    raw.serviceCpu = null;
    raw.title = `raw baseline (${raw.statement})${round(n)}`;
    runs.raw.push(await verify(raw, rawPrefix, 'raw'));
    for (const definition of SCENARIOS.slice(1)) {
      (runs[definition.key] ??= []).push(await scenario(definition, `${definition.title}${round(n)}`, `${definition.key}${n}`));
    }
    // Batches: 500 purchases per call from 4 clients, through the service and then straight to the database.
    const batchPrefix = `${BATCH.key}${n}-${runId}-`;
    const batchCpu = measureCpu(pids);
    const batch = await runBatchScenario({ port, traffic, prefix: batchPrefix, seconds });
    Object.assign(batch, batchCpu(), { title: `${BATCH.title}${round(n)}` });
    runs[BATCH.key].push(await verify(batch, batchPrefix, BATCH.key));
    const rawBatchPrefix = `rawb${n}-${runId}-`;
    const rawBatched = await runRawBatched({ url: db.url, traffic, pids, prefix: rawBatchPrefix, seconds });
    rawBatched.title += round(n);
    runs['raw batched'].push(await verify(rawBatched, rawBatchPrefix, 'raw batched'));
    if (eventOptions.events) {
      const eventPrefix = `${EVENTS.key}${n}-${runId}-`;
      const h = await runEventScenario({ databaseUrl: db.url, port: await freePort(), adminToken, servers: natsServers(),
        traffic, prefix: eventPrefix, warmPrefix: `hwarm${n}-${runId}-`, warmup: options.warmup, runId, round: n,
        connections, seconds, client, log, defer: (fn) => cleanups.push(fn),
        measure: (pid) => measureCpu({ ...pids, service: pid }) });
      if (h) {
        h.title += round(n);
        const rssMb = h.rssMb;
        await verify(h, eventPrefix, `${EVENTS.key}${n}`, EVENT_KIND);
        h.rssMb = rssMb;
        log(formatEventLines(h, runs.a.at(-1)));
        eventRuns.push(h);
      }
    }
    for (const definition of options.redemptions ? REDEMPTION_SCENARIOS : []) {
      (redemptionRuns[definition.key] ??= []).push(
        await redemptionScenario(definition, `${definition.title}${round(n)}`, `${definition.key}${n}`));
    }
  }
  for (const definition of SCENARIOS) results[definition.key] = medianRun(runs[definition.key]);
  const raw = medianRun(runs.raw);
  const batches = { g: medianRun(runs[BATCH.key]), raw: medianRun(runs['raw batched']) };

  let history = null;
  if (options.large) {
    log('\n--large: loading ledger history ...');
    const loaded = await loadHistory({ url: db.url, dataset, log });
    log(`history: ${loaded.purchases.toLocaleString('en-US')} purchases, ${loaded.entries.toLocaleString('en-US')} ledger entries (${loaded.seconds.toFixed(0)} s)`);
    const after = [];
    for (let n = 1; n <= options.repeat; n++) {
      after.push(await scenario(SCENARIOS[0], `a. with ${(loaded.entries / 1e6).toFixed(1)}M ledger entries${round(n)}`, `ah${n}`));
    }
    history = { entries: loaded.entries, result: medianRun(after), runs: after };
  }

  const peakRssMb = service.peakRssMb();
  log(`\n${formatTable(rows)}\n`);
  if (REDEMPTIONS.rows.length) log(`${formatTable(REDEMPTIONS.rows, REDEMPTIONS.unit, false)}\n`);
  if (options.repeat > 1) {
    log(`${formatMedians({ ...runs, ...(eventRuns.length ? { [EVENTS.key]: eventRuns } : {}),
      ...(history ? { 'a with history': history.runs } : {}) })}\n`);
  }
  if (options.repeat > 1 && REDEMPTIONS.rows.length) log(`${formatMedians(redemptionRuns, REDEMPTIONS.unit)}\n`);
  log(formatSummary({ results, raw, batches, peakRssMb, history, repeat: options.repeat }));
  if (eventRuns.length) {
    // Each figure's median on its own, as medianRun does for the rates.
    const medianOf = (list, key) => medianRun(list.map((r) => ({ perSecond: r[key] ?? NaN }))).perSecond;
    const h = { ...eventRuns[0], ...Object.fromEntries(['perSecond', 'recordedPerSecond', 'lagP50', 'lagP99', 'drainSeconds', 'cpuPerSubmissionUs']
      .map((key) => [key, medianOf(eventRuns, key)])), backlogAtEnd: eventRuns.map((r) => r.backlogAtEnd).join(', ') };
    log(formatEventLines(h, { perSecond: results.a.perSecond, serviceCpu: medianOf(runs.a, 'serviceCpu') }));
  }
  if (REDEMPTIONS.rows.length) {
    const { e, f } = redemptionRuns;
    log(formatRedemptionSummary({ e: medianRun(e), f: medianRun(f), connections }));
  }
  log(failed ? '\nverification: FAILED (see FAIL lines above)' : '\nverification: all checks OK');
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  log(`bench: ${error?.stack ?? error}`);
} finally {
  await cleanUp();
}
process.exit(code);
