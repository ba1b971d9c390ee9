import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { adjust, AdjustInput, balanceOf, credit, expectedTransaction, key, ledgerOf, lifecycleCounts, ok } from './points-kit';

const ADMIN_NAME = 'Jane (finance)';

describe('adjustPoints', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_NAME });
    f = new Fixtures(t);
  });
  afterAll(() => t.close());

  const input = (customerId: string, points: bigint, reason = 'Goodwill for a damaged delivery'): AdjustInput => ({
    idempotencyKey: key('adjust'),
    customerId,
    points: points.toString(),
    reason,
  });

  it('credits a customer in one balanced transaction against program:adjustments, with the ADMIN as actor', async () => {
    const customerId = await f.customer();
    const request = input(customerId, 500n, 'Line one\nline two,\twith a tab');
    const before = await lifecycleCounts(t);

    const result = ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints;

    expect(result.replayed).toBe(false);
    expect(result.customerBalance).toBe('500');
    expect(result.adjustment).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      idempotencyKey: request.idempotencyKey,
      customerId,
      points: '500',
      reason: 'Line one\nline two,\twith a tab',
      actor: ADMIN_NAME,
      createdAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(result.adjustment.createdAt) - Date.now())).toBeLessThan(60_000);
    const id = result.adjustment.id;
    expect(await ledgerOf(t, { adjustmentId: id })).toEqual([expectedTransaction('adjustment', id, customerId, 500n)]);
    const { rows } = await t.sql.query(
      'select idempotency_key, customer_id, points::text, reason, actor, length(payload_hash) as hash from points_adjustments where id = $1',
      [id],
    );
    expect(rows).toEqual([
      {
        idempotency_key: request.idempotencyKey,
        customer_id: customerId,
        points: '500',
        reason: 'Line one\nline two,\twith a tab',
        actor: ADMIN_NAME,
        hash: 32,
      },
    ]);
    expect(await balanceOf(t, customerId)).toBe(500n);
    expect(await f.balance(customerId)).toBe(500n);
    const after = await lifecycleCounts(t);
    expect(after).toEqual({ ...before, adjustments: before.adjustments + 1, transactions: before.transactions + 1, entries: before.entries + 2 });
    expect(after.balanceTotal).toBe(0n);
  });

  it('debits a customer: customer -A, program:adjustments +A, down to exactly zero', async () => {
    const customerId = await f.customer();
    expect(await credit(t, customerId, 300n)).toBe(300n);

    const debit = ok(await adjust(t, ADMIN_TOKEN, input(customerId, -200n))).adjustPoints;
    expect(debit.customerBalance).toBe('100');
    expect(debit.adjustment.points).toBe('-200');
    expect(await ledgerOf(t, { adjustmentId: debit.adjustment.id })).toEqual([
      expectedTransaction('adjustment', debit.adjustment.id, customerId, -200n),
    ]);

    expect(ok(await adjust(t, ADMIN_TOKEN, input(customerId, -100n))).adjustPoints.customerBalance).toBe('0');
    expect(await balanceOf(t, customerId)).toBe(0n);
  });

  it('refuses a debit beyond the balance: INSUFFICIENT_POINTS, nothing written, the key stays free', async () => {
    const customerId = await f.customer();
    expect(await credit(t, customerId, 100n)).toBe(100n);
    const request = input(customerId, -101n);
    const before = await lifecycleCounts(t);

    const r = await adjust(t, ADMIN_TOKEN, request);

    expect(refusal(r)).toBe('INSUFFICIENT_POINTS');
    expect(r.errors![0].message).toBe("A debit of 101 points exceeds the customer's balance of 100 points");
    expect(r.data).toBeNull();
    expect(await lifecycleCounts(t)).toEqual(before);
    expect(await balanceOf(t, customerId)).toBe(100n);

    const fits = ok(await adjust(t, ADMIN_TOKEN, { ...request, points: '-100' })).adjustPoints;
    expect(fits.replayed).toBe(false);
    expect(fits.customerBalance).toBe('0');
    expect(fits.adjustment.idempotencyKey).toBe(request.idempotencyKey);
  });

  it('replays the same request: the original adjustment, the current balance, nothing new', async () => {
    const customerId = await f.customer();
    const request = input(customerId, 70n);
    const first = ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints;
    expect(await credit(t, customerId, 5n)).toBe(75n);
    const before = await lifecycleCounts(t);

    const again = ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints;
    const upperCased = ok(await adjust(t, ADMIN_TOKEN, { ...request, customerId: customerId.toUpperCase() })).adjustPoints;

    for (const replay of [again, upperCased]) expect(replay).toEqual({ adjustment: first.adjustment, customerBalance: '75', replayed: true });
    expect(await lifecycleCounts(t)).toEqual(before);
    expect(await balanceOf(t, customerId)).toBe(75n);
  });

  it('stores the reason trimmed of invisible edges, and a resend that differs only there replays', async () => {
    const customerId = await f.customer();
    const request = input(customerId, 9n, '  Welcome bonus\u00a0');
    const first = ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints;
    expect(first.adjustment.reason).toBe('Welcome bonus');

    const resent = ok(await adjust(t, ADMIN_TOKEN, { ...request, reason: 'Welcome bonus' })).adjustPoints;
    expect(resent).toEqual({ ...first, replayed: true });
  });

  it.each<[string, (a: AdjustInput, otherCustomer: string) => AdjustInput]>([
    ['other points', (a) => ({ ...a, points: '41' })],
    ['the opposite sign', (a) => ({ ...a, points: '-40' })],
    ['another reason', (a) => ({ ...a, reason: `${a.reason}.` })],
    ['another customer', (a, other) => ({ ...a, customerId: other })],
  ])('refuses the same key with %s: IDEMPOTENCY_CONFLICT, nothing changes', async (_name, change) => {
    const customerId = await f.customer();
    const otherCustomer = await f.customer();
    expect(await credit(t, otherCustomer, 100n)).toBe(100n);
    const request = input(customerId, 40n);
    const first = ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints;
    const before = await lifecycleCounts(t);

    expect(refusal(await adjust(t, ADMIN_TOKEN, change(request, otherCustomer)))).toBe('IDEMPOTENCY_CONFLICT');

    expect(await lifecycleCounts(t)).toEqual(before);
    expect(await balanceOf(t, customerId)).toBe(40n);
    expect(await balanceOf(t, otherCustomer)).toBe(100n);
    expect(ok(await adjust(t, ADMIN_TOKEN, request)).adjustPoints).toEqual({ ...first, replayed: true });
  });

  it('refuses an unknown customer with CUSTOMER_NOT_FOUND, and the key stays free', async () => {
    const request = input('00000000-0000-4000-8000-00000000dead', 10n);
    const before = await lifecycleCounts(t);

    expect(refusal(await adjust(t, ADMIN_TOKEN, request))).toBe('CUSTOMER_NOT_FOUND');

    expect(await lifecycleCounts(t)).toEqual(before);
    const customerId = await f.customer();
    expect(ok(await adjust(t, ADMIN_TOKEN, { ...request, customerId })).adjustPoints.customerBalance).toBe('10');
  });

  it.each<[string, Record<string, unknown>]>([
    ['points 0', { points: '0' }],
    ['points beyond 10^15', { points: '1000000000000001' }],
    ['a debit beyond 10^15', { points: '-1000000000000001' }],
    ['points that are not whole', { points: '2.5' }],
    ['an empty reason', { reason: '' }],
    ['a reason of 501 characters', { reason: 'r'.repeat(501) }],
    ['a reason of spaces only', { reason: '   ' }],
    ['a reason with a control character', { reason: 'bad\u0000reason' }],
    ['an empty idempotency key', { idempotencyKey: '' }],
    ['an idempotency key of 129 characters', { idempotencyKey: 'k'.repeat(129) }],
    ['a customer id that is not a UUID', { customerId: '12345' }],
    ['an actor in the input', { actor: 'Mallory' }],
  ])('refuses %s with BAD_USER_INPUT, writing nothing', async (_name, change) => {
    const customerId = await f.customer();
    expect(await credit(t, customerId, 10n)).toBe(10n);
    const before = await lifecycleCounts(t);

    expect(refusal(await adjust(t, ADMIN_TOKEN, { ...input(customerId, 5n), ...change }))).toBe('BAD_USER_INPUT');

    expect(await lifecycleCounts(t)).toEqual(before);
    expect(await balanceOf(t, customerId)).toBe(10n);
  });

  it('accepts a reason of 500 characters and 10^15 points either way', async () => {
    const customerId = await f.customer();
    const reason = `${'é'.repeat(499)}😀`; // 500 code points, 501 UTF-16 units
    const up = ok(await adjust(t, ADMIN_TOKEN, input(customerId, 10n ** 15n, reason))).adjustPoints;
    expect(up.adjustment.reason).toBe(reason);
    expect(up.customerBalance).toBe('1000000000000000');
    const down = ok(await adjust(t, ADMIN_TOKEN, input(customerId, -(10n ** 15n)))).adjustPoints;
    expect(down.customerBalance).toBe('0');
  });

  it('records the caller as the actor, whatever the reason claims', async () => {
    const customerId = await f.customer();
    const { adjustment } = ok(await adjust(t, ADMIN_TOKEN, input(customerId, 3n, 'actor: Mallory'))).adjustPoints;
    expect(adjustment.actor).toBe(ADMIN_NAME);
    const { rows } = await t.sql.query('select actor from points_adjustments where id = $1', [adjustment.id]);
    expect(rows).toEqual([{ actor: ADMIN_NAME }]);
  });

  describe('roles: ADMIN only', () => {
    let customerId: string;
    let pos: { token: string };
    beforeAll(async () => {
      customerId = await f.customer();
      expect(await credit(t, customerId, 100n)).toBe(100n);
      pos = await f.retailer();
    });

    it.each<[string, string, () => string | null]>([
      ['a POS token', 'FORBIDDEN', () => pos.token],
      ['the AUDITOR token', 'FORBIDDEN', () => AUDITOR_TOKEN],
      ['no token', 'UNAUTHENTICATED', () => null],
      ['an unknown token', 'UNAUTHENTICATED', () => 'not-a-token'],
    ])('%s gets %s, for a credit, a debit or a bad input, and nothing changes', async (_name, code, token) => {
      const before = await lifecycleCounts(t);
      expect(refusal(await adjust(t, token(), input(customerId, 10n)))).toBe(code);
      expect(refusal(await adjust(t, token(), input(customerId, -10n)))).toBe(code);
      expect(refusal(await adjust(t, token(), { ...input(customerId, 0n), reason: '' }))).toBe(code);
      expect(await lifecycleCounts(t)).toEqual(before);
      expect(await balanceOf(t, customerId)).toBe(100n);
    });
  });
});

describe('adjustPoints with the default ADMIN_NAME', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("records 'admin' as the actor", async () => {
    const customerId = await new Fixtures(t).customer();
    const { adjustment } = ok(await adjust(t, ADMIN_TOKEN, { idempotencyKey: key(), customerId, points: '1', reason: 'x' })).adjustPoints;
    expect(adjustment.actor).toBe('admin');
  });
});
