import { randomUUID } from 'node:crypto';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { streamState, waitDrained, pointsFor } from '../faults/support/jetstream-check';
import { reportFigures } from '../faults/support/report';
import { sleep } from '../faults/support/wait';
import { errorCode, Fixtures } from '../support/fixtures';
import { natsEnv, natsTest, removeTestStreams, testNats, TestNats } from '../support/nats';
import { startTestApp, TestApp } from '../support/test-app';
import { balancesAndCredits, PURCHASE_SUBMISSION, recordedFor, Submission, SUBMIT_PURCHASE } from './ingestion-kit';

// 10,000 submissions: 8,000 originals (7,600 good, 200 for an unknown customer, 200 for an unknown product) and
// 2,000 resends (20 %): 950 of the same input soon after the original, 950 after the stream has drained and the
// duplicate window has passed (so that only the database's unique key stands between them and a second credit),
// and 100 conflicting ones (a different quantity), half soon, half late. Refusable items: 500 (5 %).
const GOOD = 7600;
const NO_CUSTOMER = 200;
const NO_PRODUCT = 200;
const SAME_RESENDS = 1900;
const CONFLICTING_RESENDS = 100;
const SENDERS = 16;
const CUSTOMERS = 100;
const PRICE_CENTS = 1000;
const AWARD_RATE = '1.5';
const DUPLICATE_WINDOW_SECONDS = 3;

type Kind = 'good' | 'noCustomer' | 'noProduct';
interface Original {
  kind: Kind;
  input: { transactionId: string; customerId: string; productId: string; quantity: number; purchasedAt: string };
}
interface Send {
  original: Original;
  resend: 'no' | 'same' | 'conflicting';
  input: Original['input'];
  answer?: string;
}

describe('submitPurchase in jetstream mode: 10,000 submissions with resends and refusals', () => {
  let nats: TestNats | null = null;
  let env: Record<string, string> | null = null;
  let t: TestApp | null = null;

  afterAll(async () => {
    await t?.close();
    if (env) await removeTestStreams(env).catch(() => undefined);
    await nats?.close();
  });

  natsTest(
    'records each good submission once with exact balances, ends every one RECORDED or REFUSED, and reconciles',
    async () => {
      const seed = Number(process.env.SUBMISSIONS_SEED ?? Date.now() % 2 ** 31);
      const random = mulberry32(seed);
      nats = await testNats();
      if (!nats) throw new Error('natsTest ran, yet no NATS was found');
      env = {
        ...natsEnv(nats.url, 'submissions'),
        INGEST_BATCH_SIZE: '500',
        NATS_DUPLICATE_WINDOW_SECONDS: String(DUPLICATE_WINDOW_SECONDS),
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_ADDRESS: '0',
      };
      const app = await startTestApp(env);
      t = app;
      const f = new Fixtures(app);
      const productId = await f.product(PRICE_CENTS);
      await f.promotion({ productId, awardRate: AWARD_RATE });
      const retailer = await f.retailer();
      const customers: string[] = [];
      for (let i = 0; i < CUSTOMERS; i++) customers.push(await f.customer());
      const purchasedAt = new Date(Date.now() - 60_000).toISOString();

      const kinds: Kind[] = shuffle(
        [...Array<Kind>(GOOD).fill('good'), ...Array<Kind>(NO_CUSTOMER).fill('noCustomer'), ...Array<Kind>(NO_PRODUCT).fill('noProduct')],
        random,
      );
      const originals: Original[] = kinds.map((kind, i) => ({
        kind,
        input: {
          transactionId: `sub-${seed}-${i}`,
          customerId: kind === 'noCustomer' ? randomUUID() : customers[Math.floor(random() * CUSTOMERS)],
          productId: kind === 'noProduct' ? randomUUID() : productId,
          quantity: 1 + Math.floor(random() * 5),
          purchasedAt,
        },
      }));
      const pick = (good: boolean) => {
        for (;;) {
          const o = originals[Math.floor(random() * originals.length)];
          if (!good || o.kind === 'good') return o;
        }
      };
      const resend = (original: Original, kind: 'same' | 'conflicting'): Send => ({
        original,
        resend: kind,
        input: kind === 'same' ? original.input : { ...original.input, quantity: original.input.quantity + 1 },
      });

      // Phase 1: the originals in order, each soon resend a few places after its original.
      const phase1: Send[] = originals.map((original) => ({ original, resend: 'no', input: original.input }));
      const soon = [
        ...Array.from({ length: SAME_RESENDS / 2 }, () => resend(pick(false), 'same')),
        ...Array.from({ length: CONFLICTING_RESENDS / 2 }, () => resend(pick(true), 'conflicting')),
      ];
      for (const send of soon) {
        const at = phase1.findIndex((s) => s.original === send.original && s.resend === 'no');
        phase1.splice(Math.min(phase1.length, at + 1 + Math.floor(random() * 40)), 0, send);
      }
      const phase2: Send[] = shuffle(
        [
          ...Array.from({ length: SAME_RESENDS / 2 }, () => resend(pick(false), 'same')),
          ...Array.from({ length: CONFLICTING_RESENDS / 2 }, () => resend(pick(true), 'conflicting')),
        ],
        random,
      );
      expect(phase1.length + phase2.length).toBe(10_000);

      // A conflicting resend waits for its original's answer: sent first, it would be the one that wins.
      const originalAnswered = new Map<string, Promise<void>>();
      const submit = async (send: Send) => {
        if (send.resend === 'conflicting') await originalAnswered.get(send.input.transactionId);
        const r = await app.gql<{ submitPurchase: Submission }>(retailer.token, SUBMIT_PURCHASE, { input: send.input });
        send.answer = r.data?.submitPurchase?.status ?? errorCode(r) ?? JSON.stringify(r.errors);
      };
      const phase1Started = Date.now();
      await inParallel(phase1, SENDERS, (send) => {
        const answered = submit(send);
        if (send.resend === 'no') originalAnswered.set(send.input.transactionId, answered.catch(() => undefined));
        return answered;
      });
      const phase1Ms = Date.now() - phase1Started;
      const drain1Ms = await waitDrained(env, 60_000);
      await sleep(DUPLICATE_WINDOW_SECONDS * 1000 + 500);
      const phase2Started = Date.now();
      await inParallel(phase2, SENDERS, submit);
      const phase2Ms = Date.now() - phase2Started;
      const drain2Ms = await waitDrained(env, 60_000);
      const stream = await streamState(env);

      // Every original ends RECORDED (the good ones, with their own quantity) or REFUSED with its code.
      const finals = new Map<string, Submission | null>();
      await inParallel(originals, SENDERS, async (o) => {
        const r = await app.gql<{ purchaseSubmission: Submission | null }>(retailer.token, PURCHASE_SUBMISSION, { transactionId: o.input.transactionId });
        finals.set(o.input.transactionId, r.data?.purchaseSubmission ?? null);
      });
      const wrongFinals = originals
        .map((o) => ({ o, s: finals.get(o.input.transactionId) ?? null }))
        .filter(({ o, s }) =>
          o.kind === 'good'
            ? s?.status !== 'RECORDED' || s.purchase?.quantity !== o.input.quantity ||
              BigInt(s.purchase.pointsEarned) !== pointsFor(o.input.quantity, PRICE_CENTS, AWARD_RATE)
            : s?.status !== 'REFUSED' || s.errorCode !== (o.kind === 'noCustomer' ? 'CUSTOMER_NOT_FOUND' : 'PRODUCT_NOT_FOUND'),
        )
        .map(({ o, s }) => ({ kind: o.kind, transactionId: o.input.transactionId, submission: s }));

      // Answers: an original is ACCEPTED; a resend of the same input ACCEPTED or its original's final status; a
      // conflicting one IDEMPOTENCY_CONFLICT at once, or ACCEPTED and refused when consumed (crediting nothing).
      const sends = [...phase1, ...phase2];
      const wrongAnswers = sends.filter((s) => {
        if (s.resend === 'no') return s.answer !== 'ACCEPTED';
        if (s.resend === 'conflicting') return s.answer !== 'ACCEPTED' && s.answer !== 'IDEMPOTENCY_CONFLICT';
        return s.answer !== 'ACCEPTED' && s.answer !== finals.get(s.input.transactionId)?.status;
      });

      const goods = originals.filter((o) => o.kind === 'good');
      const expected = new Map<string, bigint>(customers.map((c) => [c, 0n]));
      for (const o of goods) expected.set(o.input.customerId, (expected.get(o.input.customerId) as bigint) + pointsFor(o.input.quantity, PRICE_CENTS, AWARD_RATE));
      const balances = await balancesAndCredits(app, customers);
      const recorded = await recordedFor(app, retailer.id);
      const report = await app.app.get(ReconciliationService).run({ full: true });

      reportFigures('JetStream 10,000 submissions', {
        seed,
        phase1: { submissions: phase1.length, ms: phase1Ms, perSecond: Math.round((phase1.length * 1000) / phase1Ms), drainMs: drain1Ms },
        phase2: { submissions: phase2.length, ms: phase2Ms, drainMs: drain2Ms },
        answers: countBy(sends, (s) => `${s.resend}:${s.answer}`),
        finals: countBy([...finals.values()], (s) => `${s?.status}:${s?.errorCode ?? ''}`),
        recorded: recorded.count,
        points: recorded.points,
        published: stream.published,
        deliveries: stream.deliveries,
        deadLetters: stream.deadLetters,
      });

      expect({ seed, wrongFinals: wrongFinals.slice(0, 5), count: wrongFinals.length }).toEqual({ seed, wrongFinals: [], count: 0 });
      expect({ seed, wrongAnswers: wrongAnswers.slice(0, 5), count: wrongAnswers.length }).toEqual({ seed, wrongAnswers: [], count: 0 });
      expect(recorded.count).toBe(GOOD);
      expect(recorded.points).toBe([...expected.values()].reduce((a, b) => a + b, 0n));
      expect(balances.map((b) => b.balance)).toEqual(customers.map((c) => expected.get(c)));
      expect(balances.filter((b) => b.balance !== b.credits)).toEqual([]);
      expect(stream.deadLetters).toBe(0);
      expect({ status: report.status, findings: report.findings }).toEqual({ status: 'clean', findings: [] });
    },
    300_000,
  );
});

/** Runs `work` over `items` with at most `width` calls in flight. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A small seeded generator, so that a failing run can be replayed with SUBMISSIONS_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
