import { PoolClient } from 'pg';
import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, GraphqlResponse, startTestApp, TestApp } from '../support/test-app';
import { adjust, balanceOf, cancel, customerWith as customerWithIn, key, lifecycleCounts, ok, PROGRAM, redeem } from './points-kit';

/** The codes of the failed responses, and the successful ones' data. */
function split<T>(results: Array<GraphqlResponse<T>>): { data: T[]; codes: string[] } {
  return {
    data: results.filter((r) => !r.errors).map((r) => r.data!),
    codes: results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code ?? 'none'),
  };
}

describe('concurrent redemptions, cancellations and adjustments', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
  });
  afterAll(() => t.close());

  const customerWith = (points: bigint) => customerWithIn(t, points);

  /** The customer's balance after each of its ledger entries, in the order they were written. */
  async function runningBalances(customerId: string): Promise<bigint[]> {
    const { rows } = await t.sql.query<{ s: string }>(
      'select (sum(amount) over (order by id))::text as s from ledger_entries where account_id = $1 order by id',
      [customerId],
    );
    return rows.map((r) => BigInt(r.s));
  }

  const ledgerCount = async (kind: string, customerId: string) =>
    Number(
      (
        await t.sql.query<{ n: string }>(
          `select count(*)::text as n from ledger_transactions lt
            where lt.kind = $1 and exists (select 1 from ledger_entries e where e.transaction_id = lt.id and e.account_id = $2)`,
          [kind, customerId],
        )
      ).rows[0].n,
    );

  it('50 redemptions of 100 at once against 1,000 points: exactly 10 succeed, 40 INSUFFICIENT_POINTS, balance 0', async () => {
    const customerId = await customerWith(1000n);

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        redeem(t, ADMIN_TOKEN, { idempotencyKey: key(`race-${i}`), customerId, points: '100', rewardReference: 'MUG' }),
      ),
    );

    const { data, codes } = split(results);
    expect(data).toHaveLength(10);
    expect(codes).toEqual(Array.from({ length: 40 }, () => 'INSUFFICIENT_POINTS'));
    expect(data.every((d) => !d.redeemPoints.replayed)).toBe(true);
    // Each success saw the balance its predecessors left: 900, 800, ... 0, each once.
    expect(data.map((d) => BigInt(d.redeemPoints.customerBalance)).sort((a, b) => Number(b - a))).toEqual(
      Array.from({ length: 10 }, (_, i) => 900n - 100n * BigInt(i)),
    );
    expect(await balanceOf(t, customerId)).toBe(0n);
    expect(await f.balance(customerId)).toBe(0n);
    expect(Number((await t.sql.query('select count(*) from redemptions where customer_id = $1', [customerId])).rows[0].count)).toBe(10);
    expect(await ledgerCount('redemption', customerId)).toBe(10);
    expect(Math.min(...(await runningBalances(customerId)).map(Number))).toBe(0);
    expect((await lifecycleCounts(t)).balanceTotal).toBe(0n);
  });

  it('20 concurrent cancellations of one redemption: one recorded, 19 replayed, one cancellation transaction', async () => {
    const customerId = await customerWith(1000n);
    const { redemption } = ok(
      await redeem(t, ADMIN_TOKEN, { idempotencyKey: key(), customerId, points: '300', rewardReference: 'MUG' }),
    ).redeemPoints;

    const results = await Promise.all(Array.from({ length: 20 }, () => cancel(t, ADMIN_TOKEN, redemption.id)));

    const { data, codes } = split(results);
    expect(codes).toEqual([]);
    const outcomes = data.map((d) => d.cancelRedemption);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(19);
    const winner = outcomes.find((o) => !o.replayed)!;
    expect(winner.customerBalance).toBe('1000');
    for (const o of outcomes) {
      expect(o.redemption).toEqual(winner.redemption);
      expect(o.redemption.status).toBe('CANCELLED');
      expect(o.customerBalance).toBe('1000');
    }
    expect(await balanceOf(t, customerId)).toBe(1000n);
    const { rows } = await t.sql.query<{ n: string }>(
      "select count(*)::text as n from ledger_transactions where kind = 'cancellation' and redemption_id = $1 and key = $2",
      [redemption.id, `cancellation:${redemption.id}`],
    );
    expect(rows[0].n).toBe('1');
    expect(await ledgerCount('cancellation', customerId)).toBe(1);
  });

  it('concurrent debit adjustments and redemptions that would overdraw: exactly what fits, never below zero', async () => {
    const customerId = await customerWith(1000n);

    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2
          ? adjust(t, ADMIN_TOKEN, { idempotencyKey: key(`debit-${i}`), customerId, points: '-100', reason: 'Correction' })
          : redeem(t, ADMIN_TOKEN, { idempotencyKey: key(`spend-${i}`), customerId, points: '100', rewardReference: 'MUG' }),
      ),
    );

    const { data, codes } = split<unknown>(results);
    expect(data).toHaveLength(10);
    expect(codes).toEqual(Array.from({ length: 20 }, () => 'INSUFFICIENT_POINTS'));
    expect(await balanceOf(t, customerId)).toBe(0n);
    const running = await runningBalances(customerId);
    expect(running).toHaveLength(11); // the credit and ten debits
    expect(running.every((b) => b >= 0n)).toBe(true);
    expect(running[running.length - 1]).toBe(0n);
  });

  it('30 concurrent debit adjustments of 100 against 1,000: exactly 10 succeed, the balance never goes below zero', async () => {
    const customerId = await customerWith(1000n);

    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        adjust(t, ADMIN_TOKEN, { idempotencyKey: key(`debit-${i}`), customerId, points: '-100', reason: 'Correction' }),
      ),
    );

    const { data, codes } = split(results);
    expect(data).toHaveLength(10);
    expect(codes).toEqual(Array.from({ length: 20 }, () => 'INSUFFICIENT_POINTS'));
    expect(await balanceOf(t, customerId)).toBe(0n);
    expect(await ledgerCount('adjustment', customerId)).toBe(11);
    expect((await runningBalances(customerId)).every((b) => b >= 0n)).toBe(true);
  });

  it('20 identical redemptions at once (one key): one recorded, 19 replayed, one ledger transaction', async () => {
    const customerId = await customerWith(1000n);
    const request = { idempotencyKey: key('same'), customerId, points: '150', rewardReference: 'MUG' };

    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(t, ADMIN_TOKEN, request)));

    const { data, codes } = split(results);
    expect(codes).toEqual([]);
    const outcomes = data.map((d) => d.redeemPoints);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(19);
    const winner = outcomes.find((o) => !o.replayed)!;
    for (const o of outcomes) {
      expect(o.redemption).toEqual(winner.redemption);
      expect(o.customerBalance).toBe('850');
    }
    expect(await balanceOf(t, customerId)).toBe(850n);
    expect(await ledgerCount('redemption', customerId)).toBe(1);
  });

  describe('the database guard, whatever code path writes', () => {
    /** Runs `body` as the schema's owner in one transaction and commits it. */
    async function ownerTransaction(body: (client: PoolClient) => Promise<void>): Promise<void> {
      const client = await t.sql.connect();
      try {
        await client.query('begin');
        await body(client);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }

    /** A redemption row and its balanced ledger transaction, written directly, bypassing redeem_points(). */
    const writeRedemption = (customerId: string, points: number) =>
      ownerTransaction(async (client) => {
        const id = (await client.query<{ id: string }>('select gen_random_uuid() as id')).rows[0].id;
        await client.query(
          `insert into redemptions (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
           values ($1, $2, $3, $4, 'MUG', 'owner', sha256('direct'::bytea))`,
          [id, key('direct'), customerId, points],
        );
        const tx = await client.query<{ id: string }>(
          `insert into ledger_transactions (key, kind, redemption_id, effective_at)
           values ('redemption:' || $1, 'redemption', $1::uuid, now()) returning id`,
          [id],
        );
        await client.query('insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, $3), ($1, $4, $5)', [
          tx.rows[0].id,
          customerId,
          -points,
          PROGRAM.redemptions,
          points,
        ]);
      });

    /** A debit adjustment row and its balanced ledger transaction, written directly, bypassing adjust_points(). */
    const writeDebit = (customerId: string, points: number) =>
      ownerTransaction(async (client) => {
        const id = (await client.query<{ id: string }>('select gen_random_uuid() as id')).rows[0].id;
        await client.query(
          `insert into points_adjustments (id, idempotency_key, customer_id, points, reason, actor, payload_hash)
           values ($1, $2, $3, $4, 'direct', 'owner', sha256('direct'::bytea))`,
          [id, key('direct'), customerId, -points],
        );
        const tx = await client.query<{ id: string }>(
          `insert into ledger_transactions (key, kind, adjustment_id, effective_at)
           values ('adjustment:' || $1, 'adjustment', $1::uuid, now()) returning id`,
          [id],
        );
        await client.query('insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, $3), ($1, $4, $5)', [
          tx.rows[0].id,
          customerId,
          -points,
          PROGRAM.adjustments,
          points,
        ]);
      });

    it('refuses at commit a redemption that overdraws (SQLSTATE 23514), and keeps nothing of it', async () => {
      const customerId = await customerWith(50n);
      const before = await lifecycleCounts(t);

      await expect(writeRedemption(customerId, 51)).rejects.toMatchObject({
        code: '23514',
        constraint: 'customer_balance_not_negative',
      });

      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(50n);
      // The same write within the balance commits: the refusal was the balance's, not the write's shape.
      await writeRedemption(customerId, 50);
      expect(await balanceOf(t, customerId)).toBe(0n);
    });

    it('refuses at commit a debit adjustment that overdraws (SQLSTATE 23514)', async () => {
      const customerId = await customerWith(20n);

      await expect(writeDebit(customerId, 21)).rejects.toMatchObject({ code: '23514', constraint: 'customer_balance_not_negative' });

      expect(await balanceOf(t, customerId)).toBe(20n);
      await writeDebit(customerId, 20);
      expect(await balanceOf(t, customerId)).toBe(0n);
    });
  });
});
