import { migrate } from '../../src/database/migrator';
import { faultTest } from './support/availability';
import { ensureServiceBuilt } from '../support/production-build';
import { FaultPostgres, StopMode } from './support/fault-postgres';
import { expectLedgerIntact, verifyLedger } from './support/ledger-check';
import { freePort } from '../support/ports';
import { PosClients, stateOf } from './support/pos-clients';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { createServiceLogin } from './support/service-login';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { sleep, waitUntil } from './support/wait';

const CLIENTS = 6;
const OUTAGE_MS = 1500;

/**
 * PostgreSQL stops under load (fast, then immediate: no checkpoint, crash recovery at the next start) and comes
 * back on its own data while the service keeps running. The service must recover by itself; what the clients see
 * meanwhile must be SERVICE_UNAVAILABLE (retryable), never INTERNAL_SERVER_ERROR nor a dropped connection; and a
 * purchase that committed just before the outage must be replayed, not doubled, when its POS retries it.
 */
describe('fault: PostgreSQL restarted under load', () => {
  let database: FaultPostgres | null = null;
  let clients: PosClients | null = null;
  let service: ServiceProcess | null = null;

  afterAll(async () => {
    await clients?.stop(0);
    await service?.end();
    await database?.destroy();
  });

  faultTest(
    'the service recovers by itself, answers the outage as SERVICE_UNAVAILABLE, and loses nothing',
    async () => {
      await ensureServiceBuilt(log);
      const db = await FaultPostgres.create();
      database = db;
      await migrate(db.url);
      const data = await seedDataset(db.url);
      const port = await freePort();
      const running = new ServiceProcess(port, serviceEnv(port, {
        DATABASE_URL: await createServiceLogin(db.url),
        DATABASE_OWNER_URL: db.url,
        MIGRATE: 'false',
      }));
      service = running;
      await running.waitReady();
      const pos = new PosClients(() => running.endpoint, data, `pg-restart-${Date.now()}`);
      clients = pos;
      pos.start(CLIENTS);

      const outages: Record<string, unknown>[] = [];
      for (const mode of ['fast', 'immediate'] as StopMode[]) {
        const before = pos.acknowledged.size;
        await waitUntil('purchases acknowledged before the outage', () => pos.acknowledged.size >= before + 150, 30_000, 50, stateOf(pos, running));
        const stoppedAt = Date.now();
        await db.stop(mode);
        await sleep(OUTAGE_MS);
        await db.start();
        const backAt = Date.now();
        await waitUntil('a purchase acknowledged after PostgreSQL came back', () => pos.firstAcknowledgementSentAfter(backAt) !== null, 30_000, 50, stateOf(pos, running));
        const recoveredAt = pos.firstAcknowledgementSentAfter(backAt) as number;
        outages.push({
          mode,
          downMs: backAt - stoppedAt,
          // From the database accepting connections again to the first purchase acknowledged that was sent after.
          recoveryMs: recoveredAt - backAt,
          outcomesDuringOutage: pos.outcomesBetween(stoppedAt, recoveredAt),
        });
      }
      await sleep(500);
      await pos.stop(20_000);
      expect(running.running).toBe(true);

      const verdict = await verifyLedger(db.url, data.retailerId, pos);
      const outcomes = pos.outcomesBetween(0, Number.POSITIVE_INFINITY);
      reportFigures('PostgreSQL restart', { outages, outcomes, ...verdict, reconcileOutput: undefined });

      // The outage was felt (each one answered some requests SERVICE_UNAVAILABLE), and nothing else was answered.
      for (const outage of outages) expect(outage.outcomesDuringOutage).toHaveProperty('SERVICE_UNAVAILABLE');
      expect(Object.keys(outcomes).sort()).toEqual(['ACK', 'SERVICE_UNAVAILABLE']);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      expectLedgerIntact(verdict, pos.sent.size);
    },
    180_000,
  );
});
