import { startHostileClients } from './support/hostile-clients';
import { median, PhaseFigures, runPurchases } from './support/purchase-load';
import { Seed, seed } from './support/seed';
import { ServiceProcess, startService } from './support/service-process';

const POS_CLIENTS = 8;
const HOSTILE_CLIENTS = 4;
const PHASE_SECONDS = 4;
/**
 * The machine is shared and noisy, and the service still warms up during the test: each condition runs ROUNDS
 * times in the order alone, attacked, attacked, alone, alone, attacked, ... and is judged on its median.
 */
const ROUNDS = 4;
/** Below this a p99 doubling is noise of a few milliseconds, not starvation. */
const P99_FLOOR_MS = 20;

const line = (label: string, f: PhaseFigures) =>
  `  ${label.padEnd(9)} ${f.perSecond.toFixed(0).padStart(5)} purchases/s, p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms, failures ${f.failures}`;

/** Finding 2 as a load: 4 anonymous clients looping 1,000-alias requests must not starve 8 POS terminals. */
describe('hostile input: purchase starvation (issue 9, finding 2)', () => {
  let service: ServiceProcess;
  let data: Seed;

  beforeAll(async () => {
    // The service's default limits: the rate limit per address is part of what protects the purchase path.
    service = await startService();
    data = await seed(service, { retailers: POS_CLIENTS, customers: 16, products: 4 });
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  const hostileAnswers: Record<string, number> = {};

  /** POS traffic while the hostile clients loop; they start half a second before it, so that it meets them at full rate. */
  async function attackedPhase(seconds: number): Promise<PhaseFigures> {
    const hostile = startHostileClients(service.baseUrl, data.retailers[0].id, HOSTILE_CLIENTS);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return await runPurchases(service, data, POS_CLIENTS, seconds);
    } finally {
      for (const [status, n] of Object.entries(await hostile.stop())) hostileAnswers[status] = (hostileAnswers[status] ?? 0) + n;
    }
  }

  it('POS throughput under attack stays >= 80 % and p99 <= 2x of the figures without it', async () => {
    // Warm-up of both paths (JIT, pools, plan caches), measured nowhere.
    await runPurchases(service, data, POS_CLIENTS, 4);
    await attackedPhase(1);

    const alone: PhaseFigures[] = [];
    const attacked: PhaseFigures[] = [];
    for (let round = 0; round < ROUNDS && !service.died(); round++) {
      const order = round % 2 === 0 ? ['alone', 'attacked'] : ['attacked', 'alone'];
      for (const condition of order) {
        if (condition === 'alone') alone.push(await runPurchases(service, data, POS_CLIENTS, PHASE_SECONDS));
        else attacked.push(await attackedPhase(PHASE_SECONDS));
      }
    }

    const summary = (phases: PhaseFigures[]) => ({
      perSecond: median(phases.map((p) => p.perSecond)),
      p99Ms: median(phases.map((p) => p.p99Ms)),
      failures: phases.reduce((n, p) => n + p.failures, 0),
    });
    const without = summary(alone);
    const under = summary(attacked);
    console.log(
      [
        `starvation: ${POS_CLIENTS} POS clients, ${HOSTILE_CLIENTS} hostile clients, ${ROUNDS} rounds of ${PHASE_SECONDS} s per condition`,
        ...alone.map((a, i) => line(`alone ${i + 1}`, a)),
        ...attacked.map((a, i) => line(`attack ${i + 1}`, a)),
        `  medians: alone ${without.perSecond.toFixed(0)}/s p99 ${without.p99Ms.toFixed(1)} ms; attacked ${under.perSecond.toFixed(0)}/s p99 ${under.p99Ms.toFixed(1)} ms` +
          ` (throughput ${((100 * under.perSecond) / without.perSecond).toFixed(0)} %, p99 x${(under.p99Ms / without.p99Ms).toFixed(2)})`,
        `  hostile requests (warm-up included) by HTTP status: ${JSON.stringify(hostileAnswers)}`,
        ...[...alone, ...attacked].flatMap((p) => p.examples.map((e) => `  POS failure: ${e}`)).slice(0, 5),
      ].join('\n'),
    );

    if (service.died()) throw new Error(`the service ${service.exitDescription()}:\n${service.tail()}`);
    expect(without.failures).toBe(0);
    expect(under.failures).toBe(0);
    expect(under.perSecond).toBeGreaterThanOrEqual(0.8 * without.perSecond);
    expect(under.p99Ms).toBeLessThanOrEqual(Math.max(2 * without.p99Ms, without.p99Ms + P99_FLOOR_MS));
  }, 180_000);
});
