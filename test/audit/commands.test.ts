import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { LIABILITY, runCommand, shop, sumOf, TxNode, walk } from './helpers';

// Each command is a fresh Node.js process that transpiles its sources: seconds each on a busy machine.
jest.setTimeout(180_000);

const env = (t: TestApp) => ({ DATABASE_URL: t.db.serviceUrl });

describe('npm run ledger:export', () => {
  let t: TestApp;
  let all: TxNode[];
  let folder: string;

  beforeAll(async () => {
    t = await startTestApp();
    folder = mkdtempSync(join(tmpdir(), 'loyalty-export-'));
    const s = await shop(t);
    const customers = [await s.f.customer('Ex', 'One'), await s.f.customer('Ex', 'Two, "quoted"')];
    for (let i = 0; i < 9; i++) await s.buy(customers[i % 2], 1 + (i % 3));
    all = (await walk(t, { order: 'OLDEST_FIRST' }, AUDITOR_TOKEN)).flat();
    expect(all).toHaveLength(9);
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await t.close();
  });

  it('streams the entries of [from, to) as NDJSON on stdout, nothing else there', async () => {
    const from = all[2].recordedAt;
    const to = all[7].recordedAt;
    const r = await runCommand('ledger-export.ts', ['--from', from, '--to', to, '--format', 'ndjson'], env(t));
    expect(r.stderr).toContain('exported 10 entries of 5 transactions');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(10);
    expect([...new Set(lines.map((l) => l.transactionId))]).toEqual(all.slice(2, 7).map((n) => n.id));
    expect(sumOf(lines.map((l) => l.amount))).toBe(0n);
    expect(lines[0]).toEqual({
      entryId: all[2].entries[0].id,
      transactionId: all[2].id,
      transactionKey: all[2].key,
      kind: 'purchase',
      purchaseId: all[2].purchaseId,
      correctsId: null,
      effectiveAt: all[2].effectiveAt,
      recordedAt: all[2].recordedAt,
      accountCode: all[2].entries[0].accountCode,
      amount: all[2].entries[0].amount,
      returnId: null,
      redemptionId: null,
      adjustmentId: null,
      actor: null,
      reason: null,
    });
  });

  it('writes CSV with a header line, to a file given with --out', async () => {
    const out = join(folder, 'ledger.csv');
    const r = await runCommand('ledger-export.ts', ['--from', all[0].recordedAt, '--to', all[4].recordedAt, '--format', 'csv', '--out', out], env(t));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(`${out}.partial`)).toBe(false);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 8);
    expect(lines[0]).toBe(
      'entry_id,transaction_id,transaction_key,kind,purchase_id,corrects_id,effective_at,recorded_at,account_code,amount,' +
        'return_id,redemption_id,adjustment_id,actor,reason',
    );
    expect(lines.filter((l) => l.includes(`,${LIABILITY},`))).toHaveLength(4);
  });

  it('exports everything without bounds', async () => {
    const r = await runCommand('ledger-export.ts', ['--format=csv'], env(t));
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + 18);
  });

  it('refuses bad arguments with a message and exit code 1, writing nothing', async () => {
    for (const args of [['--format', 'xml'], ['--from', '2026-11-01'], ['--from', '2026-12-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], ['--bogus']]) {
      const r = await runCommand('ledger-export.ts', args, env(t));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });
});

describe('npm run auditor-token', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No cache, so that a revocation by the command (another process) is seen at once.
    t = await startTestApp({ TOKEN_CACHE_SECONDS: '0' });
  });
  afterAll(() => t.close());

  const read = (token: string) => t.gql(token, 'query { ledgerAccount(code: "program:liability") { balance } }');

  it('creates a token that the service accepts as AUDITOR, lists it, revokes it', async () => {
    const created = await runCommand('auditor-token.ts', ['create', '--name', 'Jane (finance)'], env(t));
    expect(created.code).toBe(0);
    const token = /^token: (aud_\S+)$/m.exec(created.stdout)?.[1];
    const id = /^id: +(\S+)$/m.exec(created.stdout)?.[1];
    expect(token).toBeDefined();
    expect((await read(token!)).errors).toBeUndefined();

    const listed = await runCommand('auditor-token.ts', ['list'], env(t));
    expect(listed.stdout).toContain(`${id}`);
    expect(listed.stdout).toContain('Jane (finance)');
    expect(listed.stdout).not.toContain(token!);

    const revoked = await runCommand('auditor-token.ts', ['revoke', id!], env(t));
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    expect(refusal(await read(token!))).toBe('UNAUTHENTICATED');
    expect((await runCommand('auditor-token.ts', ['list'], env(t))).stdout).not.toContain(id!);
    expect((await runCommand('auditor-token.ts', ['list', '--all'], env(t))).stdout).toContain(id!);
  });

  it('says what is wrong: unknown id, bad name, bad usage', async () => {
    const unknown = await runCommand('auditor-token.ts', ['revoke', '00000000-0000-4000-8000-000000000000'], env(t));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No auditor token has this id');
    const badName = await runCommand('auditor-token.ts', ['create', '--name', ''], env(t));
    expect(badName.code).toBe(1);
    const usage = await runCommand('auditor-token.ts', [], env(t));
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('usage:');
  });
});
