import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import {
  adjust,
  balanceOf,
  cancel,
  credit,
  customerWith as customerWithIn,
  expectedTransaction,
  key,
  ledgerOf,
  lifecycleCounts,
  ok,
  redeem,
  RedeemInput,
  redeemInput as input,
  rewardsToken,
} from './points-kit';

const ADMIN_NAME = 'Jane (finance)';

describe('redeemPoints and cancelRedemption', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_NAME });
    f = new Fixtures(t);
  });
  afterAll(() => t.close());

  const customerWith = (points: bigint) => customerWithIn(t, points);

  describe('redeemPoints', () => {
    it('spends the points in one balanced transaction against program:redemptions, recording the ADMIN as actor', async () => {
      const customerId = await customerWith(1000n);
      const request = input(customerId, 300n, 'Catalog item #42 (blue mug)');
      const before = await lifecycleCounts(t);

      const result = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;

      expect(result.replayed).toBe(false);
      expect(result.customerBalance).toBe('700');
      const { redemption } = result;
      expect(redemption).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        idempotencyKey: request.idempotencyKey,
        customerId,
        points: '300',
        rewardReference: 'Catalog item #42 (blue mug)',
        status: 'COMPLETED',
        redeemedAt: expect.any(String),
        cancelledAt: null,
        actor: ADMIN_NAME,
      });
      expect(Math.abs(Date.parse(redemption.redeemedAt) - Date.now())).toBeLessThan(60_000);

      expect(await balanceOf(t, customerId)).toBe(700n);
      expect(await f.balance(customerId)).toBe(700n);
      expect(await ledgerOf(t, { redemptionId: redemption.id })).toEqual([
        expectedTransaction('redemption', redemption.id, customerId, -300n),
      ]);
      const { rows } = await t.sql.query('select customer_id, points::text, actor, length(payload_hash) as hash from redemptions where id = $1', [
        redemption.id,
      ]);
      expect(rows).toEqual([{ customer_id: customerId, points: '300', actor: ADMIN_NAME, hash: 32 }]);
      const after = await lifecycleCounts(t);
      expect(after).toEqual({ ...before, redemptions: before.redemptions + 1, transactions: before.transactions + 1, entries: before.entries + 2 });
      expect(after.balanceTotal).toBe(0n);
    });

    it('may spend the whole balance, down to exactly zero', async () => {
      const customerId = await customerWith(250n);
      const result = ok(await redeem(t, ADMIN_TOKEN, input(customerId, 250n))).redeemPoints;
      expect(result.customerBalance).toBe('0');
      expect(await balanceOf(t, customerId)).toBe(0n);
    });

    it('replays the same request: the original redemption, the current balance, nothing new', async () => {
      const customerId = await customerWith(1000n);
      const request = input(customerId, 100n);
      const first = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      // A later redemption changes the current balance that the replay reports.
      ok(await redeem(t, ADMIN_TOKEN, input(customerId, 50n)));
      const before = await lifecycleCounts(t);

      const again = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      const upperCased = ok(await redeem(t, ADMIN_TOKEN, { ...request, customerId: customerId.toUpperCase() })).redeemPoints;

      expect(first.customerBalance).toBe('900');
      for (const replay of [again, upperCased]) {
        expect(replay).toEqual({ redemption: first.redemption, customerBalance: '850', replayed: true });
      }
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(850n);
      expect(await ledgerOf(t, { redemptionId: first.redemption.id })).toHaveLength(1);
    });

    it.each<[string, (r: RedeemInput, otherCustomer: string) => RedeemInput]>([
      ['other points', (r) => ({ ...r, points: '101' })],
      ['another reward', (r) => ({ ...r, rewardReference: 'MUG-RED' })],
      ['a reward differing only in case', (r) => ({ ...r, rewardReference: r.rewardReference.toLowerCase() })],
      ['another customer', (r, other) => ({ ...r, customerId: other })],
    ])('refuses the same key with %s: IDEMPOTENCY_CONFLICT, nothing changes', async (_name, change) => {
      const customerId = await customerWith(1000n);
      const otherCustomer = await customerWith(1000n);
      const request = input(customerId, 100n);
      const first = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      const before = await lifecycleCounts(t);

      const r = await redeem(t, ADMIN_TOKEN, change(request, otherCustomer));

      expect(refusal(r)).toBe('IDEMPOTENCY_CONFLICT');
      expect(r.data).toBeNull();
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(900n);
      expect(await balanceOf(t, otherCustomer)).toBe(1000n);
      // The key still holds the first redemption.
      expect(ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints).toEqual({ ...first, replayed: true });
    });

    it('refuses points the balance does not cover: INSUFFICIENT_POINTS, nothing written, the key stays free', async () => {
      const customerId = await customerWith(100n);
      const request = input(customerId, 101n);
      const before = await lifecycleCounts(t);

      const r = await redeem(t, ADMIN_TOKEN, request);

      expect(refusal(r)).toBe('INSUFFICIENT_POINTS');
      expect(r.errors![0].message).toBe("The customer's balance of 100 points does not cover 101 points");
      expect(r.data).toBeNull();
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(100n);

      // The refused request did not use up its key: the same key with a payload that fits is recorded.
      const fits = ok(await redeem(t, ADMIN_TOKEN, { ...request, points: '100' })).redeemPoints;
      expect(fits.replayed).toBe(false);
      expect(fits.customerBalance).toBe('0');
      expect(fits.redemption.idempotencyKey).toBe(request.idempotencyKey);
    });

    it('a refused request does not use up the key: resent once the balance covers it, it is recorded', async () => {
      const customerId = await customerWith(0n);
      const request = input(customerId, 40n);
      expect(refusal(await redeem(t, ADMIN_TOKEN, request))).toBe('INSUFFICIENT_POINTS');
      expect(await credit(t, customerId, 40n)).toBe(40n);

      const result = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;

      expect(result.replayed).toBe(false);
      expect(result.customerBalance).toBe('0');
    });

    it('refuses an unknown customer with CUSTOMER_NOT_FOUND, and the key stays free', async () => {
      const request = input('00000000-0000-4000-8000-00000000dead', 1n);
      const before = await lifecycleCounts(t);

      expect(refusal(await redeem(t, ADMIN_TOKEN, request))).toBe('CUSTOMER_NOT_FOUND');

      expect(await lifecycleCounts(t)).toEqual(before);
      const customerId = await customerWith(5n);
      const result = ok(await redeem(t, ADMIN_TOKEN, { ...request, customerId })).redeemPoints;
      expect(result.replayed).toBe(false);
      expect(result.customerBalance).toBe('4');
    });

    it.each<[string, Record<string, unknown>]>([
      ['points 0', { points: '0' }],
      ['negative points', { points: '-5' }],
      ['points beyond 10^15', { points: '1000000000000001' }],
      ['points that are not whole', { points: '1.5' }],
      ['points that are not a number', { points: 'ten' }],
      ['an empty reward reference', { rewardReference: '' }],
      ['a reward reference of 201 characters', { rewardReference: 'r'.repeat(201) }],
      ['a reward reference with a space at its end', { rewardReference: 'MUG ' }],
      ['a reward reference with a control character', { rewardReference: 'MUG\u0000' }],
      ['an empty idempotency key', { idempotencyKey: '' }],
      ['an idempotency key of 129 characters', { idempotencyKey: 'k'.repeat(129) }],
      ['a customer id that is not a UUID', { customerId: 'not-a-uuid' }],
      ['a field the input does not have', { actor: 'Mallory' }],
    ])('refuses %s with BAD_USER_INPUT, writing nothing', async (_name, change) => {
      const customerId = await customerWith(1000n);
      const before = await lifecycleCounts(t);

      expect(refusal(await redeem(t, ADMIN_TOKEN, { ...input(customerId, 10n), ...change }))).toBe('BAD_USER_INPUT');

      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(1000n);
    });

    it('accepts the largest points and the longest texts the rules allow', async () => {
      const customerId = await customerWith(10n ** 15n);
      const request = { ...input(customerId, 10n ** 15n, 'r'.repeat(200)), idempotencyKey: 'k'.repeat(120) + key('').slice(0, 8) };
      const result = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      expect(result.customerBalance).toBe('0');
      expect(result.redemption.points).toBe('1000000000000000');
      expect(result.redemption.rewardReference).toHaveLength(200);
    });
  });

  describe('cancelRedemption', () => {
    it('gives the points back in a new transaction against program:cancellations that references the redemption', async () => {
      const customerId = await customerWith(1000n);
      const { redemption } = ok(await redeem(t, ADMIN_TOKEN, input(customerId, 400n))).redeemPoints;
      const before = await lifecycleCounts(t);

      const result = ok(await cancel(t, ADMIN_TOKEN, redemption.id)).cancelRedemption;

      expect(result.replayed).toBe(false);
      expect(result.customerBalance).toBe('1000');
      expect(result.redemption).toEqual({ ...redemption, status: 'CANCELLED', cancelledAt: expect.any(String) });
      expect(Date.parse(result.redemption.cancelledAt!)).toBeGreaterThanOrEqual(Date.parse(redemption.redeemedAt));
      expect(await balanceOf(t, customerId)).toBe(1000n);
      expect(await ledgerOf(t, { redemptionId: redemption.id })).toEqual([
        expectedTransaction('redemption', redemption.id, customerId, -400n),
        expectedTransaction('cancellation', redemption.id, customerId, 400n),
      ]);
      const { rows } = await t.sql.query('select actor, cancelled_at from redemption_cancellations where redemption_id = $1', [
        redemption.id,
      ]);
      expect(rows).toEqual([{ actor: ADMIN_NAME, cancelled_at: new Date(result.redemption.cancelledAt!) }]);
      expect(await lifecycleCounts(t)).toEqual({ ...before, cancellations: before.cancellations + 1, transactions: before.transactions + 1, entries: before.entries + 2 });
    });

    it('replays a second cancellation: the same cancelledAt, the current balance, nothing new', async () => {
      const customerId = await customerWith(1000n);
      const { redemption } = ok(await redeem(t, ADMIN_TOKEN, input(customerId, 400n))).redeemPoints;
      const first = ok(await cancel(t, ADMIN_TOKEN, redemption.id)).cancelRedemption;
      ok(await redeem(t, ADMIN_TOKEN, input(customerId, 30n)));
      const before = await lifecycleCounts(t);

      const second = ok(await cancel(t, ADMIN_TOKEN, redemption.id.toUpperCase())).cancelRedemption;

      expect(second).toEqual({ redemption: first.redemption, customerBalance: '970', replayed: true });
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await ledgerOf(t, { redemptionId: redemption.id })).toHaveLength(2);
    });

    it('a replayed redeemPoints shows the redemption as it is now: CANCELLED once cancelled, changing nothing', async () => {
      const customerId = await customerWith(1000n);
      const request = input(customerId, 600n);
      const { redemption } = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      const cancelled = ok(await cancel(t, ADMIN_TOKEN, redemption.id)).cancelRedemption;
      const before = await lifecycleCounts(t);

      const replay = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;

      expect(replay).toEqual({ redemption: cancelled.redemption, customerBalance: '1000', replayed: true });
      expect(replay.redemption.status).toBe('CANCELLED');
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(1000n);
    });

    it('gives the points back even when the customer spent the rest meanwhile', async () => {
      const customerId = await customerWith(500n);
      const { redemption } = ok(await redeem(t, ADMIN_TOKEN, input(customerId, 200n))).redeemPoints;
      ok(await redeem(t, ADMIN_TOKEN, input(customerId, 300n)));
      expect(ok(await cancel(t, ADMIN_TOKEN, redemption.id)).cancelRedemption.customerBalance).toBe('200');
    });

    it('refuses an unknown id with NOT_FOUND, writing nothing', async () => {
      const before = await lifecycleCounts(t);
      expect(refusal(await cancel(t, ADMIN_TOKEN, '00000000-0000-4000-8000-00000000beef'))).toBe('NOT_FOUND');
      expect(await lifecycleCounts(t)).toEqual(before);
    });

    it('refuses an id that is not a UUID with BAD_USER_INPUT', async () => {
      expect(refusal(await cancel(t, ADMIN_TOKEN, 'redemption-1'))).toBe('BAD_USER_INPUT');
    });
  });

  describe('roles', () => {
    let customerId: string;
    let redemptionId: string;
    let pos: { token: string };
    beforeAll(async () => {
      customerId = await customerWith(1000n);
      redemptionId = ok(await redeem(t, ADMIN_TOKEN, input(customerId, 100n))).redeemPoints.redemption.id;
      pos = await f.retailer();
    });

    it.each<[string, string, () => string | null]>([
      ['a POS token', 'FORBIDDEN', () => pos.token],
      ['the AUDITOR token', 'FORBIDDEN', () => AUDITOR_TOKEN],
      ['no token', 'UNAUTHENTICATED', () => null],
      ['an unknown token', 'UNAUTHENTICATED', () => 'not-a-token'],
    ])('%s gets %s for both redeeming and cancelling, and nothing changes', async (_name, code, token) => {
      const before = await lifecycleCounts(t);
      expect(refusal(await redeem(t, token(), input(customerId, 10n)))).toBe(code);
      expect(refusal(await cancel(t, token(), redemptionId))).toBe(code);
      // Roles are checked before the input's rules: a bad input is refused for the role too.
      expect(refusal(await redeem(t, token(), { ...input(customerId, 0n), customerId: 'x' }))).toBe(code);
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(900n);
    });
  });

  // REWARDS tokens: these need the authenticator to look up `rwd_` tokens in api_tokens (the API tokens work).
  // The token is written straight into the table as the schema's owner, as ADMIN's createApiToken would.
  describe('with a REWARDS token (needs rwd_ tokens authenticated)', () => {
    let rewards: string;
    beforeAll(async () => {
      rewards = await rewardsToken(t, 'Rewards shop');
    });

    it('redeems and cancels, recording the token name as the actor of each', async () => {
      const customerId = await customerWith(1000n);
      const { redemption } = ok(await redeem(t, rewards, input(customerId, 250n))).redeemPoints;
      expect(redemption.actor).toBe('Rewards shop');

      const cancelled = ok(await cancel(t, rewards, redemption.id)).cancelRedemption;

      expect(cancelled.redemption.status).toBe('CANCELLED');
      expect(cancelled.customerBalance).toBe('1000');
      const { rows } = await t.sql.query(
        `select r.actor as redeemed_by, c.actor as cancelled_by
           from redemptions r join redemption_cancellations c on c.redemption_id = r.id where r.id = $1`,
        [redemption.id],
      );
      expect(rows).toEqual([{ redeemed_by: 'Rewards shop', cancelled_by: 'Rewards shop' }]);
    });

    it('replays a redemption ADMIN made under the same key and payload', async () => {
      const customerId = await customerWith(1000n);
      const request = input(customerId, 10n);
      const first = ok(await redeem(t, ADMIN_TOKEN, request)).redeemPoints;
      expect(ok(await redeem(t, rewards, request)).redeemPoints).toEqual({ ...first, replayed: true });
    });

    it('may not adjust points (FORBIDDEN)', async () => {
      const customerId = await customerWith(10n);
      const before = await lifecycleCounts(t);
      expect(refusal(await adjust(t, rewards, { idempotencyKey: key(), customerId, points: '5', reason: 'x' }))).toBe('FORBIDDEN');
      expect(await lifecycleCounts(t)).toEqual(before);
    });
  });
});
