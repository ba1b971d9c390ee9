import { Client, DatabaseError, Pool } from 'pg';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { redemptionFingerprint } from '../../src/redemptions/redemption-fingerprint';
import {
  REDEEM_POINTS_BATCH_SQL,
  redeemPointsBatchValues,
  RedemptionsRepository,
  RedemptionToRecord,
} from '../../src/redemptions/redemptions.repository';
import { reconcile } from '../reconciliation/drift-kit';
import { startTestApp, TestApp } from '../support/test-app';
import {
  balanceOf,
  customerWith as customerWithIn,
  expectedTransaction,
  key,
  ledgerOf,
  LifecycleCounts,
  lifecycleCounts,
  PROGRAM,
} from './points-kit';

const ACTOR = 'batch test';

/** A redemption as the service would submit it; the same key, customer, points and reward give the same digest. */
function item(customerId: string, points: bigint, options: { key?: string; reward?: string } = {}): RedemptionToRecord {
  const submitted = { idempotencyKey: options.key ?? key('batch'), customerId, points, rewardReference: options.reward ?? 'MUG' };
  return { id: uuidV7(), ...submitted, actor: ACTOR, payloadHash: redemptionFingerprint(submitted) };
}

interface BatchRow {
  item: number;
  outcome: string;
  id: string | null;
  idempotency_key: string | null;
  customer_id: string | null;
  points: string | null;
  reward_reference: string | null;
  actor: string | null;
  redeemed_at: Date | null;
  cancelled_at: Date | null;
  customer_balance: string | null;
}

/** What each item was answered, in the order of the rows: the outcome, the redemption it names, the balance. */
const answers = (rows: BatchRow[]) =>
  rows.map((r) => ({
    item: r.item,
    outcome: r.outcome,
    id: r.id,
    customerId: r.customer_id,
    points: r.points,
    balance: r.customer_balance,
  }));

/** The counts after a batch that recorded `n` redemptions: each one row, one transaction and two entries. */
const plusRecorded = (before: LifecycleCounts, n: number): LifecycleCounts => ({
  ...before,
  redemptions: before.redemptions + n,
  transactions: before.transactions + n,
  entries: before.entries + 2 * n,
});

/**
 * redeem_points_batch() called directly, as the service's role calls it (the repository's own statement and
 * arguments): a batch must answer every item exactly as redeem_points() would have, one after another.
 */
describe('redeem_points_batch()', () => {
  let t: TestApp;
  let service: Pool;
  beforeAll(async () => {
    t = await startTestApp();
    service = new Pool({ connectionString: t.db.serviceUrl, max: 24 });
    // t.close() drops the database with force, which may cut a connection this pool is still closing.
    service.on('error', () => undefined);
  });
  afterAll(async () => {
    await service.end();
    await t.close();
  });

  const customerWith = (points: bigint) => customerWithIn(t, points);

  async function batch(items: RedemptionToRecord[], db: Pool | Client = service): Promise<BatchRow[]> {
    return (await db.query<BatchRow>(REDEEM_POINTS_BATCH_SQL, redeemPointsBatchValues(items))).rows;
  }

  const recorded = (i: RedemptionToRecord, n: number, balance: bigint) => ({
    item: n,
    outcome: 'recorded',
    id: i.id,
    customerId: i.customerId,
    points: i.points.toString(),
    balance: balance.toString(),
  });

  it('writes distinct customers in one transaction and refuses an unknown customer alone, answering in item order', async () => {
    const [a, b] = [await customerWith(1000n), await customerWith(500n)];
    const unknown = uuidV7();
    const items = [item(a, 100n), item(unknown, 5n), item(b, 200n), item(a, 50n)];
    const before = await lifecycleCounts(t);
    const program = await balanceOf(t, PROGRAM.redemptions);

    const rows = await batch(items);

    expect(answers(rows)).toEqual([
      recorded(items[0], 1, 900n),
      { item: 2, outcome: 'customer_not_found', id: null, customerId: null, points: null, balance: null },
      recorded(items[2], 3, 300n),
      recorded(items[3], 4, 850n),
    ]);
    expect(rows[0]).toMatchObject({ idempotency_key: items[0].idempotencyKey, reward_reference: 'MUG', actor: ACTOR, cancelled_at: null });
    expect([await balanceOf(t, a), await balanceOf(t, b)]).toEqual([850n, 300n]);
    expect(await balanceOf(t, PROGRAM.redemptions)).toBe(program + 350n);
    for (const i of [items[0], items[2], items[3]]) {
      expect(await ledgerOf(t, { redemptionId: i.id })).toEqual([expectedTransaction('redemption', i.id, i.customerId, -i.points)]);
    }
    const after = await lifecycleCounts(t);
    expect(after).toEqual(plusRecorded(before, 3));
    expect(after.balanceTotal).toBe(0n);
    // One database transaction for the three, each row as sent.
    const { rows: stored } = await t.sql.query(
      `select id::text, customer_id::text, points::text as spent, actor, payload_hash, committed_xid::text as xid
         from redemptions where id = any($1::uuid[]) order by points desc`,
      [items.map((i) => i.id)],
    );
    expect(stored.map((r) => [r.id, r.customer_id, r.spent, r.actor, r.payload_hash])).toEqual(
      [items[2], items[0], items[3]].map((i) => [i.id, i.customerId, i.points.toString(), ACTOR, i.payloadHash]),
    );
    expect(new Set(stored.map((r) => r.xid)).size).toBe(1);
    expect((await reconcile(t, { full: true })).findings).toEqual([]);
  });

  it('answers the same key twice in a batch: the same payload replays the first, another conflicts with it', async () => {
    const a = await customerWith(1000n);
    const first = item(a, 100n);
    const resent = { ...first, id: uuidV7() };
    const other = item(a, 100n, { key: first.idempotencyKey, reward: 'OTHER' });
    const next = item(a, 30n);

    const rows = await batch([first, resent, other, next]);

    const asFirst = { id: first.id, customerId: a, points: '100', balance: '900' };
    expect(answers(rows)).toEqual([
      recorded(first, 1, 900n),
      { item: 2, outcome: 'replayed', ...asFirst },
      { item: 3, outcome: 'conflict', ...asFirst },
      recorded(next, 4, 870n),
    ]);
    expect(rows.map((r) => r.reward_reference)).toEqual(['MUG', 'MUG', 'MUG', 'MUG']);
    expect(await balanceOf(t, a)).toBe(870n);
    const { rows: keyRows } = await t.sql.query('select id::text from redemptions where idempotency_key = $1', [first.idempotencyKey]);
    expect(keyRows).toEqual([{ id: first.id }]);
    expect(await ledgerOf(t, { redemptionId: first.id })).toEqual([expectedTransaction('redemption', first.id, a, -100n)]);
  });

  it('answers a key stored before the batch with that redemption and the balance at its turn in the sequence', async () => {
    const a = await customerWith(1000n);
    const stored = item(a, 100n);
    expect(answers(await batch([stored]))).toEqual([recorded(stored, 1, 900n)]);

    const replay = { ...stored, id: uuidV7() };
    const spend = item(a, 50n);
    const conflict = item(a, 1n, { key: stored.idempotencyKey });
    const rows = await batch([replay, spend, conflict]);

    const asStored = { id: stored.id, customerId: a, points: '100' };
    expect(answers(rows)).toEqual([
      { item: 1, outcome: 'replayed', ...asStored, balance: '900' },
      recorded(spend, 2, 850n),
      { item: 3, outcome: 'conflict', ...asStored, balance: '850' },
    ]);
    expect(await balanceOf(t, a)).toBe(850n);
  });

  it('answers a replay of a cancelled redemption with the row as it is now: cancelled, its points given back', async () => {
    const a = await customerWith(1000n);
    const stored = item(a, 100n);
    await batch([stored]);
    const { rows: cancelled } = await service.query<{ outcome: string; cancelled_at: Date }>(
      'select outcome, cancelled_at from cancel_redemption($1, $2)',
      [stored.id, ACTOR],
    );
    expect(cancelled.map((r) => r.outcome)).toEqual(['recorded']);

    const rows = await batch([{ ...stored, id: uuidV7() }]);

    expect(answers(rows)).toEqual([{ item: 1, outcome: 'replayed', id: stored.id, customerId: a, points: '100', balance: '1000' }]);
    expect(rows[0].cancelled_at).toEqual(cancelled[0].cancelled_at);
  });

  it('does not use up the key of a refused item: a later item with that key is judged afresh', async () => {
    const a = await customerWith(100n);
    const k = key('refused');
    const unknown = item(uuidV7(), 10n, { key: k });
    const tooMuch = item(a, 500n, { key: k });
    const fits = item(a, 60n, { key: k });
    const again = { ...fits, id: uuidV7() };
    const before = await lifecycleCounts(t);

    const rows = await batch([unknown, tooMuch, fits, again]);

    expect(answers(rows)).toEqual([
      { item: 1, outcome: 'customer_not_found', id: null, customerId: null, points: null, balance: null },
      { item: 2, outcome: 'insufficient', id: null, customerId: a, points: null, balance: '100' },
      recorded(fits, 3, 40n),
      { item: 4, outcome: 'replayed', id: fits.id, customerId: a, points: '60', balance: '40' },
    ]);
    expect(await balanceOf(t, a)).toBe(40n);
    const after = await lifecycleCounts(t);
    expect(after).toEqual(plusRecorded(before, 1));
  });

  it("judges one customer's items against its running balance in item order: exactly the greedy prefix is recorded", async () => {
    const a = await customerWith(1000n);
    const items = [300n, 400n, 500n, 200n, 100n, 1n].map((points) => item(a, points));
    const before = await lifecycleCounts(t);

    const rows = await batch(items);

    expect(answers(rows)).toEqual([
      recorded(items[0], 1, 700n),
      recorded(items[1], 2, 300n),
      { item: 3, outcome: 'insufficient', id: null, customerId: a, points: null, balance: '300' },
      recorded(items[3], 4, 100n),
      recorded(items[4], 5, 0n),
      { item: 6, outcome: 'insufficient', id: null, customerId: a, points: null, balance: '0' },
    ]);
    expect(await balanceOf(t, a)).toBe(0n);
    for (const i of [items[0], items[1], items[3], items[4]]) {
      expect(await ledgerOf(t, { redemptionId: i.id })).toEqual([expectedTransaction('redemption', i.id, a, -i.points)]);
    }
    const after = await lifecycleCounts(t);
    expect(after).toEqual(plusRecorded(before, 4));
    expect((await reconcile(t, { full: true })).findings).toEqual([]);
  });

  it('answers an empty batch with no rows, and refuses arrays of different lengths', async () => {
    expect(await batch([])).toEqual([]);
    const values = redeemPointsBatchValues([item(uuidV7(), 1n), item(uuidV7(), 1n)]);
    values[3] = ['1'];
    const error = await service.query(REDEEM_POINTS_BATCH_SQL, values).catch((e: DatabaseError) => e);
    expect((error as DatabaseError).code).toBe('22023');
  });

  it('never deadlocks: 20 concurrent batches of the same two customers, in both orders', async () => {
    const [a, b] = [await customerWith(10_000n), await customerWith(10_000n)];

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => batch(n % 2 === 0 ? [item(a, 10n), item(b, 10n)] : [item(b, 10n), item(a, 10n)])),
    );

    expect(results.flat().map((r) => r.outcome)).toEqual(Array.from({ length: 40 }, () => 'recorded'));
    expect([await balanceOf(t, a), await balanceOf(t, b)]).toEqual([9800n, 9800n]);
    // The batches ran one after another: each customer's answers are 9,990 down to 9,800, each once.
    const answered = (customer: string) =>
      results
        .flat()
        .filter((r) => r.customer_id === customer)
        .map((r) => BigInt(r.customer_balance!))
        .sort((x, y) => Number(y - x));
    const expected = Array.from({ length: 20 }, (_, n) => 9990n - 10n * BigInt(n));
    expect(answered(a)).toEqual(expected);
    expect(answered(b)).toEqual(expected);
  });

  it("takes its customers' locks in one order, whatever the order of its items", async () => {
    const pair = [await customerWith(100n), await customerWith(100n)];
    // The order of the locks' keys (then of the ids), as the function sorts them.
    const { rows: ordered } = await t.sql.query<{ id: string }>(
      'select c.id::text from unnest($1::uuid[]) c(id) order by hashtext(c.id::text), c.id',
      [pair],
    );
    const [low, high] = ordered.map((r) => r.id);
    const holder = await t.sql.connect();
    const caller = new Client({ connectionString: t.db.serviceUrl });
    await caller.connect();
    try {
      await holder.query('begin');
      await holder.query('select lock_customer($1)', [high]);
      const pid = (await caller.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      // Items in the other order: the batch must still take low's lock first, then wait for high's.
      const pending = batch([item(high, 10n), item(low, 10n)], caller);
      const locks = async () =>
        (
          await t.sql.query<{ id: string; granted: boolean }>(
            `select c.id::text, l.granted from pg_locks l
               join unnest($2::uuid[]) c(id) on l.objid = (hashtext(c.id::text)::bigint & 4294967295)::oid
              where l.pid = $1 and l.locktype = 'advisory' and l.classid = 724311905 and l.objsubid = 2
              order by l.granted desc`,
            [pid, pair],
          )
        ).rows;
      let seen = await locks();
      while (!seen.some((l) => !l.granted)) seen = await locks();
      expect(seen).toEqual([
        { id: low, granted: true },
        { id: high, granted: false },
      ]);
      await holder.query('commit');
      expect((await pending).map((r) => [r.outcome, r.customer_balance])).toEqual([
        ['recorded', '90'],
        ['recorded', '90'],
      ]);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
      await caller.end();
    }
  });

  describe('a key that another transaction commits while the batch waits to insert it', () => {
    /**
     * Runs `items` on a connection of its own while another transaction holds `taken` recorded and uncommitted,
     * and commits that one once the batch waits for it: the batch read the key as free.
     */
    async function raced(taken: RedemptionToRecord, items: RedemptionToRecord[]): Promise<BatchRow[]> {
      const holder = new Client({ connectionString: t.db.serviceUrl });
      const caller = new Client({ connectionString: t.db.serviceUrl });
      await Promise.all([holder.connect(), caller.connect()]);
      try {
        await holder.query('begin');
        expect((await batch([taken], holder)).map((r) => r.outcome)).toEqual(['recorded']);
        const pid = (await caller.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
        const pending = batch(items, caller);
        pending.catch(() => undefined);
        const waiting = async () =>
          (await t.sql.query("select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'", [pid])).rowCount === 1;
        while (!(await waiting()));
        await holder.query('commit');
        return await pending;
      } finally {
        await Promise.all([holder.end(), caller.end()]);
      }
    }

    it('a batch of one answers the redemption stored under the key, with its customer balance', async () => {
      const [a, b] = [await customerWith(1000n), await customerWith(1000n)];
      const taken = item(b, 100n);

      const rows = await raced(taken, [item(a, 50n, { key: taken.idempotencyKey })]);

      expect(answers(rows)).toEqual([{ item: 1, outcome: 'conflict', id: taken.id, customerId: b, points: '100', balance: '900' }]);
      expect([await balanceOf(t, a), await balanceOf(t, b)]).toEqual([1000n, 900n]);
    });

    it('a larger batch fails as a whole (serialization_failure), writing nothing: its later items were judged on it', async () => {
      const [a, b] = [await customerWith(1000n), await customerWith(1000n)];
      const taken = item(b, 100n);
      const before = await lifecycleCounts(t);

      const error = await raced(taken, [item(a, 50n, { key: taken.idempotencyKey }), item(a, 10n)]).catch((e: DatabaseError) => e);

      expect((error as DatabaseError).code).toBe('40001');
      expect([await balanceOf(t, a), await balanceOf(t, b)]).toEqual([1000n, 900n]);
      expect(await lifecycleCounts(t)).toEqual(plusRecorded(before, 1));
    });
  });

  it('through the service: a batch that fails as a whole is retried one by one, and only the bad redemption fails', async () => {
    const a = await customerWith(1000n);
    const repository = t.app.get(RedemptionsRepository);
    // A reward reference longer than the table allows (the edge refuses it; here it reaches the database).
    const bad = item(a, 10n, { reward: 'x'.repeat(201) });
    const good = [item(a, 100n), item(a, 200n)];

    const results = await Promise.allSettled([repository.redeem(good[0]), repository.redeem(bad), repository.redeem(good[1])]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as DatabaseError).code).toBe('23514');
    const outcomes = results.flatMap((r) => (r.status === 'fulfilled' && r.value.outcome === 'recorded' ? [r.value.redemption.id] : []));
    expect(outcomes).toEqual([good[0].id, good[1].id]);
    expect(await balanceOf(t, a)).toBe(700n);
  });
});
