import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../audit/helpers';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

// Each run is a fresh Node.js process that transpiles its sources: seconds each on a busy machine.
jest.setTimeout(180_000);

describe('npm run import', () => {
  let t: TestApp;
  let f: Fixtures;
  let folder: string;
  let retailer: { id: string; token: string };
  let product: string;
  let customers: string[];

  const run = (args: string[], env: Record<string, string> = {}) => runCommand('import.ts', args, { DATABASE_URL: t.db.serviceUrl, ...env });
  const counts = (stdout: string) => stdout.split('\n').filter((l) => /^(recorded|replayed|refused| {2}[A-Z_]+):/.test(l));
  const file = (name: string, lines: string[]) => {
    const path = join(folder, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const ledger = async (customerIds: string[]) => {
    const { rows } = await t.sql.query<{ purchases: string; points: string; transactions: string }>(
      `select count(*) as purchases, coalesce(sum(points_earned), 0) as points,
              (select count(*) from ledger_transactions lt join purchases p2 on p2.id = lt.purchase_id
                where p2.customer_id = any($1::uuid[])) as transactions
         from purchases where customer_id = any($1::uuid[])`,
      [customerIds],
    );
    return { ...rows[0], balances: await Promise.all(customerIds.map((c) => f.balance(c))) };
  };

  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    folder = mkdtempSync(join(tmpdir(), 'loyalty-import-'));
    retailer = await f.retailer({ name: 'Import Shop' });
    product = await f.product(1000);
    await f.promotion({ productId: product, awardRate: '1' });
    customers = [await f.customer('Im', 'One'), await f.customer('Im', 'Two'), await f.customer('Im', 'Three'), await f.customer('Im', 'Four')];
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await t.close();
  });

  it('records good lines, replays, refuses bad and unparsable ones with reasons; a rerun credits nothing', async () => {
    const [c1, c2] = customers;
    const pre = { transactionId: 'nd-pre', customerId: c1, productId: product, quantity: 4 };
    expect((await recordPurchase(t, retailer.token, pre)).errors).toBeUndefined();
    const purchasedAt = new Date(Date.now() - 3_600_000).toISOString();
    const unknownProduct = randomUUID();
    const path = file('sales.ndjson', [
      JSON.stringify({ transactionId: 'nd-1', customerId: c1, productId: product, quantity: 2 }),
      JSON.stringify({ transactionId: 'nd-2', customerId: c2, productId: product, quantity: 1, unitPriceCents: 550, purchasedAt }),
      JSON.stringify(pre),
      JSON.stringify({ transactionId: 'nd-4', customerId: c2, productId: unknownProduct, quantity: 1 }),
      JSON.stringify({ transactionId: 'nd-5', customerId: c2, productId: product, quantity: 0 }),
      '{"transactionId": "nd-6", ',
      '',
      JSON.stringify({ transactionId: 'nd-1', customerId: c1, productId: product, quantity: 3 }),
    ]);
    const before = await ledger([c1, c2]);
    expect(before).toEqual({ purchases: '1', points: '40', transactions: '1', balances: [40n, 0n] });

    const first = await run([path, '--retailer', retailer.id]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    expect(counts(first.stdout)).toEqual([
      'recorded: 2',
      'replayed: 1',
      'refused:  4',
      '  BAD_USER_INPUT: 2',
      '  IDEMPOTENCY_CONFLICT: 1',
      '  PRODUCT_NOT_FOUND: 1',
    ]);
    const refused = readFileSync(`${path}.refused.ndjson`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(refused.map((r) => [r.line, r.code])).toEqual([
      [4, 'PRODUCT_NOT_FOUND'],
      [5, 'BAD_USER_INPUT'],
      [6, 'BAD_USER_INPUT'],
      [8, 'IDEMPOTENCY_CONFLICT'],
    ]);
    expect(refused[0]).toEqual({
      line: 4,
      code: 'PRODUCT_NOT_FOUND',
      message: 'Product not found',
      text: JSON.stringify({ transactionId: 'nd-4', customerId: c2, productId: unknownProduct, quantity: 1 }),
    });
    expect(refused[1].message).toContain('quantity must not be less than 1');
    expect(refused[2].message).toMatch(/^not JSON: /);
    expect(refused[2].text).toBe('{"transactionId": "nd-6", ');
    // 2 x 10.00 and 1 x 5.50 at 1 point per dollar, on top of the purchase recorded beforehand.
    expect(await ledger([c1, c2])).toEqual({ purchases: '3', points: '65', transactions: '3', balances: [60n, 5n] });

    const again = await run([path, '--retailer', retailer.id, '--refused', join(folder, 'again.ndjson')]);
    expect(again.code).toBe(1);
    expect(counts(again.stdout)).toEqual([
      'recorded: 0',
      'replayed: 3',
      'refused:  4',
      '  BAD_USER_INPUT: 2',
      '  IDEMPOTENCY_CONFLICT: 1',
      '  PRODUCT_NOT_FOUND: 1',
    ]);
    expect(readFileSync(join(folder, 'again.ndjson'), 'utf8')).toBe(readFileSync(`${path}.refused.ndjson`, 'utf8'));
    expect(await ledger([c1, c2])).toEqual({ purchases: '3', points: '65', transactions: '3', balances: [60n, 5n] });
  });

  it('reads CSV with a header row and quoted cells: all recorded is exit 0, and so is all replayed', async () => {
    const c3 = customers[2];
    const path = file('sales.csv', [
      'quantity,transactionId,customerId,productId,unitPriceCents,purchasedAt',
      `3,"csv,1",${c3},${product},,`,
      `1,"csv ""2""",${c3},"${product}",2000,${new Date(Date.now() - 60_000).toISOString()}`,
    ]);
    const first = await run([path, '--retailer', retailer.id]);
    expect(first.code).toBe(0);
    expect(counts(first.stdout)).toEqual(['recorded: 2', 'replayed: 0', 'refused:  0']);
    expect(readFileSync(`${path}.refused.ndjson`, 'utf8')).toBe('');
    const { rows } = await t.sql.query('select transaction_id, quantity, unit_price_cents from purchases where customer_id = $1 order by 1', [c3]);
    expect(rows).toEqual([
      { transaction_id: 'csv "2"', quantity: 1, unit_price_cents: 2000 },
      { transaction_id: 'csv,1', quantity: 3, unit_price_cents: 1000 },
    ]);
    expect(await f.balance(c3)).toBe(50n);

    const again = await run([path, '--retailer', retailer.id]);
    expect(again.code).toBe(0);
    expect(counts(again.stdout)).toEqual(['recorded: 0', 'replayed: 2', 'refused:  0']);
    expect(await f.balance(c3)).toBe(50n);
  });

  it('refuses a CSV line that does not parse, and records the rest', async () => {
    // A customer of its own: the tests run in any order, and the other CSV test credits customers[2].
    const c3 = customers[3];
    const path = file('broken.csv', [
      'transactionId,customerId,productId,quantity',
      `csv-b1,${c3},${product},1`,
      `csv-b2,${c3},${product}`,
      `csv-b3,${c3},${product},two`,
    ]);
    const r = await run([path, '--retailer', retailer.id]);
    expect(r.code).toBe(1);
    expect(counts(r.stdout)).toEqual(['recorded: 1', 'replayed: 0', 'refused:  2', '  BAD_USER_INPUT: 2']);
    const refused = readFileSync(`${path}.refused.ndjson`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(refused).toEqual([
      { line: 3, code: 'BAD_USER_INPUT', message: '3 cells where the header has 4', text: `csv-b2,${c3},${product}` },
      { line: 4, code: 'BAD_USER_INPUT', message: 'quantity must be a 32-bit integer', text: `csv-b3,${c3},${product},two` },
    ]);
    expect(await f.balance(c3)).toBe(10n);
  });

  it('exits 2 when it cannot run: bad arguments, an unknown retailer, an unreadable file, a database that does not answer', async () => {
    const path = file('one.ndjson', [JSON.stringify({ transactionId: 'x-1', customerId: customers[0], productId: product, quantity: 1 })]);
    const cases: Array<[string[], Record<string, string>, string]> = [
      [[path], {}, '--retailer must be a retailer id'],
      [[path, '--retailer', randomUUID()], {}, 'no retailer'],
      [[join(folder, 'missing.ndjson'), '--retailer', retailer.id], {}, 'cannot read'],
      [[path, '--retailer', retailer.id], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, 'the database does not answer'],
    ];
    for (const [args, env, message] of cases) {
      const r = await run(args, env);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toContain(`import: could not run: ${message}`);
    }
    expect((await t.sql.query("select count(*)::int as n from purchases where transaction_id = 'x-1'")).rows[0].n).toBe(0);
  });
});
