import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AUTH_POOL } from '../../src/database/database.module';
import { runCommand, shop } from '../audit/helpers';
import { refusal } from '../integration/helpers';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';

// The commands below are fresh Node.js processes that transpile their sources: seconds each on a busy machine.
jest.setTimeout(180_000);

const CREATE = `mutation($role: ApiTokenRole!, $name: String!) {
  createApiToken(role: $role, name: $name) { authToken apiToken { id role name createdAt revokedAt } }
}`;
const REVOKE = 'mutation($id: ID!) { revokeApiToken(id: $id) { id role name revokedAt } }';
const LIST = 'query($role: ApiTokenRole, $all: Boolean!) { apiTokens(role: $role, includeRevoked: $all) { id role name revokedAt } }';
const REDEEM = `mutation($input: RedeemPointsInput!) {
  redeemPoints(input: $input) { customerBalance replayed redemption { id customerId points status } }
}`;
const CANCEL = 'mutation($id: ID!) { cancelRedemption(id: $id) { customerBalance replayed redemption { id status } } }';
/** ADMIN only: what a live token of another role is FORBIDDEN, and a dead one UNAUTHENTICATED. */
const ADMIN_ONLY = 'mutation { createCustomer(input: { firstName: "A", lastName: "B" }) { id } }';

interface ApiToken {
  id: string;
  role: 'AUDITOR' | 'REWARDS';
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

describe('REWARDS tokens', () => {
  let t: TestApp;

  const create = async (name: string, role = 'REWARDS') => {
    const r = await t.gql<{ createApiToken: { authToken: string; apiToken: ApiToken } }>(ADMIN_TOKEN, CREATE, { role, name });
    expect(r.errors).toBeUndefined();
    return r.data!.createApiToken;
  };
  const revoke = (id: string) => t.gql<{ revokeApiToken: ApiToken }>(ADMIN_TOKEN, REVOKE, { id });
  const listed = async (role: string | null, all = false) =>
    (await t.gql<{ apiTokens: ApiToken[] }>(ADMIN_TOKEN, LIST, { role, all })).data!.apiTokens;

  beforeAll(async () => {
    // Unlimited per address: some tests present dead tokens over and over, in any order.
    t = await startTestApp({ RATE_LIMIT_PER_ADDRESS: '0' });
  });
  afterAll(() => t.close());

  it('creates a token shown once, stored nowhere but as its sha256 digest', async () => {
    const created = await create('Rewards shop');
    expect(created.authToken).toMatch(/^rwd_[\w-]{43}$/);
    expect(created.apiToken).toMatchObject({ role: 'REWARDS', name: 'Rewards shop', revokedAt: null });

    const { rows } = await t.sql.query('select * from api_tokens where id = $1', [created.apiToken.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].role).toBe('REWARDS');
    expect(Buffer.compare(rows[0].token_hash, createHash('sha256').update(created.authToken).digest())).toBe(0);
    // Every row of every table, as text: the token's random part is in none of them.
    const { rows: tables } = await t.sql.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'");
    expect(tables.length).toBeGreaterThan(10);
    for (const { name } of tables) {
      const found = await t.sql.query(`select 1 from ${name} r where strpos(row_to_json(r)::text, $1) > 0`, [created.authToken.slice(4)]);
      expect(`${name}: ${found.rowCount}`).toBe(`${name}: 0`);
    }
  });

  it('lists it among the REWARDS tokens and all tokens, never among the AUDITOR ones, never the token itself', async () => {
    const created = await create('Listed shop');
    const auditor = await create('Listed auditor', 'AUDITOR');
    const ids = (tokens: Array<{ id: string }>) => tokens.map((token) => token.id);
    const rewards = await listed('REWARDS');
    expect(rewards).toContainEqual({ id: created.apiToken.id, role: 'REWARDS', name: 'Listed shop', revokedAt: null });
    expect(rewards.every((token) => token.role === 'REWARDS')).toBe(true);
    expect(ids(await listed(null))).toEqual(expect.arrayContaining([created.apiToken.id, auditor.apiToken.id]));
    expect(ids(await listed('AUDITOR'))).not.toContain(created.apiToken.id);
    const auditorTokens = await t.gql<{ auditorTokens: Array<{ id: string }> }>(ADMIN_TOKEN, 'query { auditorTokens(includeRevoked: true) { id } }');
    expect(ids(auditorTokens.data!.auditorTokens)).toEqual(expect.arrayContaining([auditor.apiToken.id]));
    expect(ids(auditorTokens.data!.auditorTokens)).not.toContain(created.apiToken.id);
    expect(JSON.stringify(await listed(null, true))).not.toContain(created.authToken.slice(4));
  });

  it('authenticates as REWARDS: redeems and cancels, recorded under its name; anything else is FORBIDDEN', async () => {
    const { authToken } = await create('Rewards shop (redeeming)');
    const s = await shop(t);
    const customerId = await s.f.customer('Red', 'Eemer');
    await s.buy(customerId, 5); // 50 points

    const redeemed = await t.gql<{ redeemPoints: { customerBalance: string; replayed: boolean; redemption: { id: string; points: string; status: string } } }>(
      authToken,
      REDEEM,
      { input: { idempotencyKey: `rwd-test-${randomUUID()}`, customerId, points: '20', rewardReference: 'mug-001' } },
    );
    expect(redeemed.errors).toBeUndefined();
    expect(redeemed.data!.redeemPoints).toMatchObject({ customerBalance: '30', replayed: false, redemption: { points: '20', status: 'COMPLETED' } });
    const { id } = redeemed.data!.redeemPoints.redemption;
    const actor = await t.sql.query<{ actor: string }>('select actor from redemptions where id = $1', [id]);
    expect(actor.rows).toEqual([{ actor: 'Rewards shop (redeeming)' }]);

    const cancelled = await t.gql<{ cancelRedemption: { customerBalance: string; redemption: { status: string } } }>(authToken, CANCEL, { id });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelRedemption).toMatchObject({ customerBalance: '50', redemption: { status: 'CANCELLED' } });

    expect(refusal(await t.gql(authToken, ADMIN_ONLY))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(authToken, 'query { ledgerAccount(code: "program:liability") { balance } }'))).toBe('FORBIDDEN');
  });

  it('revokes: UNAUTHENTICATED on the very next request though it was cached, idempotently, NOT_FOUND for an unknown id', async () => {
    const created = await create('Leaving shop');
    expect(refusal(await t.gql(created.authToken, ADMIN_ONLY))).toBe('FORBIDDEN'); // authenticated, and now cached

    const first = await revoke(created.apiToken.id);
    expect(first.errors).toBeUndefined();
    expect(first.data!.revokeApiToken).toMatchObject({ id: created.apiToken.id, role: 'REWARDS', revokedAt: expect.any(String) });
    expect(refusal(await t.gql(created.authToken, ADMIN_ONLY))).toBe('UNAUTHENTICATED');

    const second = await revoke(created.apiToken.id.toUpperCase());
    expect(second.data!.revokeApiToken.revokedAt).toBe(first.data!.revokeApiToken.revokedAt);
    expect(refusal(await revoke('00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(refusal(await revoke('nope'))).toBe('BAD_USER_INPUT');
    expect(await listed('REWARDS')).not.toContainEqual(expect.objectContaining({ id: created.apiToken.id }));
    expect(await listed('REWARDS', true)).toContainEqual(expect.objectContaining({ id: created.apiToken.id }));
  });

  it('keeps the AUDITOR-only operations to AUDITOR tokens: revokeAuditorToken does not know a REWARDS token', async () => {
    const created = await create('Not an auditor');
    const r = await t.gql(ADMIN_TOKEN, 'mutation($id: ID!) { revokeAuditorToken(id: $id) { id } }', { id: created.apiToken.id });
    expect(refusal(r)).toBe('NOT_FOUND');
    expect(refusal(await t.gql(created.authToken, ADMIN_ONLY))).toBe('FORBIDDEN'); // still live
  });

  it('costs one lookup per cache period for a revoked token and for a made-up one, however often presented', async () => {
    const created = await create('Looked up');
    expect((await revoke(created.apiToken.id)).errors).toBeUndefined();
    const pool = t.app.get<Pool>(AUTH_POOL);
    const lookups = jest.spyOn(pool, 'query');
    try {
      for (let i = 0; i < 20; i++) {
        expect(refusal(await t.gql(created.authToken, ADMIN_ONLY))).toBe('UNAUTHENTICATED');
        expect(refusal(await t.gql('rwd_made-up-0123456789', ADMIN_ONLY))).toBe('UNAUTHENTICATED');
      }
      expect(lookups).toHaveBeenCalledTimes(2);
    } finally {
      lookups.mockRestore();
    }
  });

  it('lets only ADMIN create, revoke and list tokens: POS, AUDITOR and REWARDS tokens are FORBIDDEN', async () => {
    const target = await create('Target');
    const auditor = await create('Stored auditor', 'AUDITOR');
    const pos = await shop(t);
    const calls = [
      [CREATE, { role: 'REWARDS', name: 'escalation' }],
      [CREATE, { role: 'AUDITOR', name: 'escalation' }],
      ['mutation { createAuditorToken(name: "escalation") { authToken } }', {}],
      [REVOKE, { id: target.apiToken.id }],
      [LIST, { role: null, all: true }],
    ] as const;
    for (const [query, variables] of calls) {
      for (const token of [pos.retailer.token, AUDITOR_TOKEN, auditor.authToken, target.authToken]) {
        expect(refusal(await t.gql(token, query, variables))).toBe('FORBIDDEN');
      }
      expect(refusal(await t.gql(null, query, variables))).toBe('UNAUTHENTICATED');
    }
    expect(await listed('REWARDS')).toContainEqual(expect.objectContaining({ id: target.apiToken.id, revokedAt: null }));
    expect((await listed(null, true)).filter((token) => token.name === 'escalation')).toEqual([]);
  });
});

describe('npm run api-token, for REWARDS tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No cache, so that a revocation by the command (another process) is seen at once.
    t = await startTestApp({ TOKEN_CACHE_SECONDS: '0' });
  });
  afterAll(() => t.close());

  const env = () => ({ DATABASE_URL: t.db.serviceUrl });
  const command = (args: string[]) => runCommand('api-token.ts', args, env());

  it('creates a token that the service accepts as REWARDS, lists it by role, revokes it', async () => {
    const created = await command(['create', '--role', 'REWARDS', '--name', 'Rewards shop']);
    expect(created.code).toBe(0);
    const token = /^token: (rwd_\S+)$/m.exec(created.stdout)?.[1];
    const id = /^id: +(\S+)$/m.exec(created.stdout)?.[1];
    expect(/^role: +(\S+)$/m.exec(created.stdout)?.[1]).toBe('REWARDS');
    expect(token).toMatch(/^rwd_[\w-]{43}$/);
    expect(refusal(await t.gql(token!, ADMIN_ONLY))).toBe('FORBIDDEN'); // a live token, of another role than ADMIN

    const rewards = await command(['list', '--role', 'REWARDS']);
    expect(rewards.code).toBe(0);
    expect(rewards.stdout).toMatch(new RegExp(`^${id}  REWARDS  \\S+  live  Rewards shop$`, 'm'));
    expect(rewards.stdout).not.toContain(token!.slice(4));
    expect((await command(['list', '--role', 'AUDITOR'])).stdout).not.toContain(id!);

    // The AUDITOR command has its role fixed: it does not know this token.
    const wrongKind = await runCommand('auditor-token.ts', ['revoke', id!], env());
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain('No auditor token has this id');

    const revoked = await command(['revoke', id!]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`${id}  REWARDS`);
    expect(revoked.stdout).toContain('revoked');
    expect(refusal(await t.gql(token!, ADMIN_ONLY))).toBe('UNAUTHENTICATED');
    expect((await command(['list'])).stdout).not.toContain(id!);
    expect((await command(['list', '--all', '--role', 'REWARDS'])).stdout).toContain(id!);
  });

  it('says what is wrong: unknown role, unknown id, bad usage', async () => {
    const badRole = await command(['create', '--role', 'ADMIN', '--name', 'Escalation']);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('role must be one of the following values: AUDITOR, REWARDS');
    const unknown = await command(['revoke', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No API token has this id');
    for (const args of [['create', '--name', 'No role'], ['list', '--all', '--all'], []]) {
      const usage = await command(args);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toContain('usage: npm run api-token');
    }
    const { rows } = await t.sql.query<{ n: string }>("select count(*)::text as n from api_tokens where name in ('Escalation', 'No role')");
    expect(rows[0].n).toBe('0');
  });
});
