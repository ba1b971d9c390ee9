import { migrate } from '../../src/database/migrator';
import { faultTest } from './support/availability';
import { ensureServiceBuilt } from '../support/production-build';
import { FaultPostgres } from './support/fault-postgres';
import { expectLedgerIntact, verifyLedger } from './support/ledger-check';
import { freePort } from '../support/ports';
import { isRetryable, PosClients, stateOf } from './support/pos-clients';
import { log, reportFigures } from './support/report';
import { seedDataset } from './support/seed';
import { createServiceLogin } from './support/service-login';
import { ServiceProcess, serviceEnv } from './support/service-process';
import { sleep, waitUntil } from './support/wait';

const KILLS = 2;
const CLIENTS = 6;

/**
 * The service is killed (SIGKILL: no drain, no clean-up) while POS clients sell, then started again; clients retry
 * what went unanswered. Whatever the kill cut (a purchase committed but not answered, or never committed), every
 * acknowledged purchase must be in the ledger exactly once and the ledger must reconcile.
 */
describe('fault: the service killed with SIGKILL under load', () => {
  let database: FaultPostgres | null = null;
  let clients: PosClients | null = null;
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await clients?.stop(0);
    for (const service of services) await service.end();
    await database?.destroy();
  });

  faultTest(
    'loses and doubles no acknowledged purchase, and the ledger reconciles',
    async () => {
      await ensureServiceBuilt(log);
      database = await FaultPostgres.create();
      await migrate(database.url);
      const data = await seedDataset(database.url);
      const port = await freePort();
      const env = serviceEnv(port, {
        DATABASE_URL: await createServiceLogin(database.url),
        DATABASE_OWNER_URL: database.url,
        MIGRATE: 'false',
      });
      const startService = async () => {
        const service = new ServiceProcess(port, env);
        services.push(service);
        await service.waitReady();
        return service;
      };

      let service = await startService();
      const pos = new PosClients(() => service.endpoint, data, `kill-${Date.now()}`);
      clients = pos;
      pos.start(CLIENTS);
      const kills: Record<string, unknown>[] = [];
      for (let kill = 1; kill <= KILLS; kill++) {
        const before = pos.acknowledged.size;
        await waitUntil('purchases acknowledged before the kill', () => pos.acknowledged.size >= before + 150, 30_000, 50, stateOf(pos, service));
        const killedAt = Date.now();
        service.kill('SIGKILL');
        expect((await service.exited).signal).toBe('SIGKILL');
        await sleep(500);
        service = await startService();
        const readyAt = Date.now();
        await waitUntil('a purchase acknowledged after the restart', () => pos.firstAcknowledgementSentAfter(readyAt) !== null, 30_000, 50, stateOf(pos, service));
        kills.push({
          kill,
          acknowledgedBefore: pos.acknowledged.size,
          outcomesWhileDown: pos.outcomesBetween(killedAt, readyAt),
          restartMs: readyAt - killedAt,
          // From the kill to the first purchase acknowledged that was sent after it: the outage a POS saw.
          outageMs: (pos.firstAcknowledgementSentAfter(killedAt) as number) - killedAt,
        });
      }
      await sleep(500);
      await pos.stop(20_000);
      expect(service.running).toBe(true);

      const verdict = await verifyLedger(database.url, data.retailerId, pos);
      const outcomes = pos.outcomesBetween(0, Number.POSITIVE_INFINITY);
      reportFigures('SIGKILL', { kills, outcomes, ...verdict, reconcileOutput: undefined });

      // Every outcome other than an acknowledgement was one a POS retries, and every retry ended acknowledged.
      expect(Object.keys(outcomes).filter((o) => o !== 'ACK' && !isRetryable(o))).toEqual([]);
      expect(Object.fromEntries(pos.unsettled)).toEqual({});
      expectLedgerIntact(verdict, pos.sent.size);
    },
    240_000,
  );
});
