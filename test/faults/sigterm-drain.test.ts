import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultTest } from './support/availability';
import { ensureServiceBuilt } from '../support/production-build';
import { expectLedgerIntact, verifyLedger } from './support/ledger-check';
import { LoadBalancer } from './support/load-balancer';
import { freePort } from '../support/ports';
import { PosClients, stateOf } from './support/pos-clients';
import { postmasterPid, stopPostmaster } from './support/postmaster';
import { ReadinessProbe } from './support/readiness-probe';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { sleep, waitUntil } from './support/wait';

const CLIENTS = 6;
const SHUTDOWN_DELAY_MS = 1500;
/** How soon after SIGTERM readiness must fail: "at once", with room for a loaded test machine. */
const READINESS_BOUND_MS = 300;
/** The balancer's rule: a probe every 50 ms, out of rotation after 3 failures (well within the delay). */
const LB_PROBE_EVERY_MS = 50;
const LB_UNHEALTHY_AFTER = 3;

/**
 * SIGTERM while POS clients sell through a load balancer, with the service on its own embedded PostgreSQL (no
 * DATABASE_URL), so that the order of the drain is under test too: readiness fails at once, requests are still
 * served while the balancer reacts (the database still up), the listener closes once nobody sends, without
 * resetting a request sent before, and the process exits 0 having stopped its database itself. The service is then started again on the same data, as a rolling restart would,
 * the clients finish what was refused meanwhile, and the ledger must hold every acknowledged purchase once.
 */
describe('fault: SIGTERM under load, with the drain', () => {
  let parent: string | null = null;
  let clients: PosClients | null = null;
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await clients?.stop(0);
    for (const service of services) await service.end();
    if (parent) {
      await stopPostmaster(join(parent, 'pg'), 'SIGINT', 15_000).catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    }
  });

  faultTest(
    'readiness fails at once, requests are served through the delay, nothing is reset or lost, exit code 0',
    async () => {
      await ensureServiceBuilt(log);
      parent = mkdtempSync(join(tmpdir(), 'loyalty-faults-'));
      chmodSync(parent, 0o755); // as root the embedded server runs as the `postgres` user, which must enter it
      const dataDir = join(parent, 'pg');
      const pgPort = await freePort();
      const port = await freePort();
      const env = serviceEnv(port, {
        EMBEDDED_PG_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      });
      const startService = async () => {
        const service = new ServiceProcess(port, env);
        services.push(service);
        await service.waitReady(90_000);
        return service;
      };

      const first = await startService();
      // The embedded server's fixed superuser and the database the service creates (src/database/local-database.ts).
      const ownerUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/loyalty`;
      const data = await seedDataset(ownerUrl);
      await sleep(600); // the promotion catalog reloads every PROMOTION_REFRESH_MS (200 ms)
      const balancer = new LoadBalancer(LB_UNHEALTHY_AFTER);
      balancer.add(first);
      const pos = new PosClients(() => balancer.target(), data, `sigterm-${Date.now()}`);
      clients = pos;
      pos.start(CLIENTS);
      await waitUntil('purchases acknowledged before SIGTERM', () => pos.acknowledged.size >= 150, 30_000, 50, stateOf(pos, first));

      const readiness = new ReadinessProbe(first, LB_PROBE_EVERY_MS, (status) => balancer.observe(status));
      await sleep(200);
      const signalledAt = Date.now();
      first.kill('SIGTERM');
      const exit = await withinMs(first.exited, SHUTDOWN_DELAY_MS + 30_000);
      const exitedAt = Date.now();
      await readiness.stop();
      expect(exit).toEqual({ code: 0, signal: null });

      const closing = first.logEntry('closing the listener');
      expect(closing).not.toBeNull();
      const closedAt = (closing as { at: number }).at;
      const notReady = readiness.first(503, signalledAt);
      const figures = {
        readiness503AfterMs: notReady ? notReady.at - signalledAt : null,
        readiness200AfterSignal: readiness.probes.filter((p) => p.at > (notReady?.at ?? signalledAt) && p.status === 200).length,
        removedFromRotationAfterMs: balancer.removedAt === null ? null : balancer.removedAt - signalledAt,
        listenerClosedAfterMs: closedAt - signalledAt,
        exitedAfterMs: exitedAt - signalledAt,
        acknowledgedDuringDelay: pos.acknowledgedBetween(signalledAt, closedAt),
        outcomesSentBeforeClose: pos.outcomesBetween(signalledAt, closedAt),
        outcomesSentAfterClose: pos.outcomesBetween(closedAt, exitedAt + 1),
      };
      // The embedded database was still there during the drain and stopped by the service, after its requests.
      const steps = first.messages();
      const order = ['draining', 'closing the listener', 'listener closed', 'application closed', 'stopping the embedded', 'embedded PostgreSQL stopped', 'stopped'].map(
        (step) => steps.findIndex((m) => m.startsWith(step)),
      );
      expect(postmasterPid(dataDir)).toBeNull();

      const second = await startService();
      balancer.add(second);
      const restartedAt = Date.now();
      await waitUntil('a purchase acknowledged after the restart', () => pos.firstAcknowledgementSentAfter(restartedAt) !== null, 30_000, 50, stateOf(pos, second));
      await pos.stop(20_000);
      const verdict = await verifyLedger(ownerUrl, data.retailerId, pos);
      second.kill('SIGTERM');
      const secondExit = await second.exited;
      reportFigures('SIGTERM drain', { ...figures, stepOrder: order, ...verdict, reconcileOutput: undefined });

      expect(figures.readiness503AfterMs).not.toBeNull();
      expect(figures.readiness503AfterMs).toBeLessThanOrEqual(READINESS_BOUND_MS);
      expect(figures.readiness200AfterSignal).toBe(0);
      expect(figures.listenerClosedAfterMs).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
      expect(figures.acknowledgedDuringDelay).toBeGreaterThan(0);
      // The balancer stopped sending before the listener closed: the delay outlasted its reaction.
      expect(figures.removedFromRotationAfterMs).not.toBeNull();
      expect(figures.removedFromRotationAfterMs).toBeLessThan(figures.listenerClosedAfterMs);
      // Every request sent before the listener closed was answered, and answered well (the database was up), and
      // none was sent after: no reset, no refusal, no SERVICE_UNAVAILABLE.
      expect(Object.keys(figures.outcomesSentBeforeClose)).toEqual(['ACK']);
      expect(figures.outcomesSentAfterClose).toEqual({});
      expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);

      expect(secondExit).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      expectLedgerIntact(verdict, pos.sent.size);
    },
    180_000,
  );
});

/** The promise's value, or null when it has not settled within `ms` (the timer does not outlive the wait). */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
