import fc from 'fast-check';
import { FuzzRequest, fuzzRequest } from './support/fuzz-requests';
import { errorCodes, RawResponse, runBounded } from './support/http-client';
import { leakedInternals } from './support/internals';
import { AnsweredPurchase, ledgerState, reconcile, recordedPurchases } from './support/ledger-audit';
import { Seed, seed } from './support/seed';
import { ServiceProcess, startService } from './support/service-process';

/** The issue asks for at least 10,000; HOSTILE_FUZZ_REQUESTS may raise it (never lower it) for a longer run. */
const REQUESTS = Math.max(10_000, Number(process.env.HOSTILE_FUZZ_REQUESTS ?? 0));
/** The generator's seed is printed; HOSTILE_FUZZ_SEED replays a run. */
const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const IN_FLIGHT = 8;
const CHUNK = 100;
const DEADLINE_MS = 170_000;
const RSS_BOUND_MB = 400;
const EXAMPLES = 15;

interface Tally {
  sent: number;
  byStatus: Map<string, number>;
  byCode: Map<string, number>;
  byKind: Map<string, number>;
  internalErrors: string[];
  serverErrors: string[];
  leaks: string[];
  transportErrors: string[];
  recorded: AnsweredPurchase[];
  /** Requests sent again on a new connection after a kept-alive one was found closed (see sendRaw). */
  retries: number;
  peakRssKb: number;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const keep = (list: string[], line: string) => list.length < 1000 && list.push(line);

function* requests(base: Seed): Generator<FuzzRequest> {
  const arbitrary = fuzzRequest(base);
  for (let chunk = 0; chunk * CHUNK < REQUESTS; chunk++) {
    yield* fc.sample(arbitrary, { seed: SEED + chunk, numRuns: Math.min(CHUNK, REQUESTS - chunk * CHUNK) });
  }
}

/** The codes of an answer: GraphQL error codes, or the HTTP layer's own code when it is not a GraphQL answer. */
function codesOf(response: RawResponse): string[] {
  const codes = errorCodes(response);
  const bodies = Array.isArray(response.json) ? (response.json as RawResponse['json'][]) : [];
  for (const body of bodies) codes.push(...errorCodes({ ...response, json: body }));
  if (codes.length > 0) return codes;
  const code = (response.json as { code?: unknown } | undefined)?.code;
  return [typeof code === 'string' ? code : response.status < 400 ? 'OK' : `HTTP_${response.status}`];
}

function describe1(request: FuzzRequest, detail: string): string {
  const body = request.request.body === undefined ? '' : request.request.body.toString().slice(0, 300);
  return `${request.kind} ${request.request.method} ${request.request.path}: ${detail} | ${body}`;
}

describe('hostile input: fast-check fuzz of the running service (issue 9)', () => {
  let service: ServiceProcess;
  let base: Seed;

  beforeAll(async () => {
    // The limits would answer most of the fuzz with 429 and hide every other path; they have their own case.
    service = await startService({ RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_PER_TOKEN: '0' });
    base = await seed(service);
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  it(`${REQUESTS.toLocaleString('en')} generated requests: no death, no internal error, no leak, bounded memory, only valid purchases in the ledger`, async () => {
    const tally: Tally = {
      sent: 0,
      byStatus: new Map(),
      byCode: new Map(),
      byKind: new Map(),
      internalErrors: [],
      serverErrors: [],
      leaks: [],
      transportErrors: [],
      recorded: [],
      retries: 0,
      peakRssKb: 0,
    };
    const sampler = setInterval(() => {
      const memory = service.memory();
      if (memory) tally.peakRssKb = Math.max(tally.peakRssKb, memory.rssKb, memory.hwmKb);
    }, 250);
    const started = Date.now();

    const tasks = function* () {
      for (const request of requests(base)) {
        if (service.died() || Date.now() - started > DEADLINE_MS) return;
        yield async () => {
          tally.sent += 1;
          bump(tally.byKind, request.kind);
          let response: RawResponse;
          try {
            response = await service.send({ ...request.request, timeoutMs: 30_000 });
          } catch (error) {
            keep(tally.transportErrors, describe1(request, (error as Error).message));
            bump(tally.byStatus, 'no answer');
            return;
          }
          bump(tally.byStatus, String(response.status));
          if (response.retried) tally.retries += 1;
          const codes = codesOf(response);
          for (const code of codes) bump(tally.byCode, code);
          if (codes.includes('INTERNAL_SERVER_ERROR')) keep(tally.internalErrors, describe1(request, response.body.slice(0, 400)));
          if (response.status >= 500) keep(tally.serverErrors, describe1(request, `HTTP ${response.status} ${response.body.slice(0, 300)}`));
          const requestText = request.request.body === undefined ? request.request.path ?? '' : request.request.body.toString();
          for (const leak of leakedInternals(response, requestText)) keep(tally.leaks, describe1(request, leak));
          tally.recorded.push(...recordedPurchases(response));
        };
      }
    };
    try {
      await runBounded(tasks(), IN_FLIGHT);
    } finally {
      clearInterval(sampler);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const finalMemory = service.memory();
    if (finalMemory) tally.peakRssKb = Math.max(tally.peakRssKb, finalMemory.hwmKb);

    const ledger = service.died() ? null : await ledgerState(service);
    const reconciliation = service.died() ? null : await reconcile(service);
    const sorted = (map: Map<string, number>) => Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1]));
    console.log(
      [
        `hostile fuzz: seed ${SEED}, ${tally.sent} requests in ${elapsedS.toFixed(1)} s (${IN_FLIGHT} in flight)`,
        `  by kind: ${JSON.stringify(sorted(tally.byKind))}`,
        `  by HTTP status: ${JSON.stringify(sorted(tally.byStatus))}`,
        `  by error code: ${JSON.stringify(sorted(tally.byCode))}`,
        `  deaths: ${service.died() ? 1 : 0} (${service.exitDescription()}), internal errors: ${tally.internalErrors.length}, HTTP 5xx: ${tally.serverErrors.length}, leaks: ${tally.leaks.length}, no answer: ${tally.transportErrors.length} (resent after a closed keep-alive connection: ${tally.retries})`,
        `  peak RSS: ${(tally.peakRssKb / 1024).toFixed(0)} MB (bound ${RSS_BOUND_MB} MB)`,
        `  purchases answered as recorded: ${tally.recorded.length}, rows: ${ledger?.purchases.length ?? '?'}, ledger transactions: ${ledger?.transactions ?? '?'}, reconciliation exit code: ${reconciliation?.code ?? '?'}`,
        ...tally.internalErrors.slice(0, EXAMPLES).map((e) => `  INTERNAL: ${e}`),
        ...tally.serverErrors.slice(0, EXAMPLES).map((e) => `  5xx: ${e}`),
        ...tally.leaks.slice(0, EXAMPLES).map((e) => `  LEAK: ${e}`),
        ...tally.transportErrors.slice(0, EXAMPLES).map((e) => `  NO ANSWER: ${e}`),
      ].join('\n'),
    );

    if (service.died()) throw new Error(`the service ${service.exitDescription()} after ${tally.sent} requests:\n${service.tail()}`);
    expect(tally.sent).toBe(REQUESTS);
    expect(tally.internalErrors).toEqual([]);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.leaks).toEqual([]);
    expect(tally.transportErrors).toEqual([]);
    expect(tally.peakRssKb / 1024).toBeLessThan(RSS_BOUND_MB);
    expect((await service.send({ method: 'GET', path: '/health/ready' })).status).toBe(200);

    // The ledger changed by the valid purchases alone: each row was answered as recorded, each answer is a row.
    const rows = new Set(ledger?.purchases.map((p) => p.id));
    const answered = new Set(tally.recorded.map((p) => p.id));
    expect(answered.size).toBe(tally.recorded.length);
    expect([...rows].filter((id) => !answered.has(id))).toEqual([]);
    expect([...answered].filter((id) => !rows.has(id))).toEqual([]);
    expect(ledger?.otherTransactions).toBe(0);
    expect(ledger?.transactions).toBe(ledger?.purchases.filter((p) => p.points > 0n).length);
    expect(ledger?.entrySum).toBe(0n);
    expect(reconciliation).toEqual({ code: 0, output: expect.any(String) });
  }, 240_000);
});
