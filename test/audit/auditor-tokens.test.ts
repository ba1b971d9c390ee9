import { createHash } from 'node:crypto';
import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { LIABILITY } from './helpers';

const CREATE = `mutation($name: String!) {
  createAuditorToken(name: $name) { authToken auditorToken { id name createdAt revokedAt } }
}`;
const REVOKE = 'mutation($id: ID!) { revokeAuditorToken(id: $id) { id name revokedAt } }';
const LIST = 'query($all: Boolean!) { auditorTokens(includeRevoked: $all) { id name revokedAt } }';
const AUDITOR_READ = 'query($code: String!) { ledgerAccount(code: $code) { code balance } }';

interface Created {
  createAuditorToken: { authToken: string; auditorToken: { id: string; name: string; createdAt: string; revokedAt: string | null } };
}

describe('AUDITOR tokens', () => {
  let t: TestApp;
  let pos: { id: string; token: string };

  const create = async (name: string) => {
    const r = await t.gql<Created>(ADMIN_TOKEN, CREATE, { name });
    expect(r.errors).toBeUndefined();
    return r.data!.createAuditorToken;
  };
  const readsAsAuditor = (token: string) => t.gql(token, AUDITOR_READ, { code: LIABILITY });

  beforeAll(async () => {
    t = await startTestApp();
    pos = await new Fixtures(t).retailer();
  });
  afterAll(() => t.close());

  it('creates a token that works as AUDITOR at once, shown once and stored only as its sha256', async () => {
    const created = await create('Jane (finance)');
    expect(created.authToken).toMatch(/^aud_[\w-]{43}$/);
    expect(created.auditorToken).toMatchObject({ name: 'Jane (finance)', revokedAt: null });

    const read = await readsAsAuditor(created.authToken);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ ledgerAccount: { code: LIABILITY, balance: '0' } });

    const { rows } = await t.sql.query('select * from api_tokens where id = $1', [created.auditorToken.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].role).toBe('AUDITOR');
    expect(Buffer.compare(rows[0].token_hash, createHash('sha256').update(created.authToken).digest())).toBe(0);
    const everything = JSON.stringify(rows[0], (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64url') : value));
    expect(everything).not.toContain(created.authToken.slice(4));
  });

  it('gives AUDITOR, not ADMIN: back-office mutations and token management are FORBIDDEN', async () => {
    const { authToken } = await create('Read only');
    expect(refusal(await t.gql(authToken, 'mutation { createCustomer(input: { firstName: "A", lastName: "B" }) { id } }'))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(authToken, CREATE, { name: 'escalation' }))).toBe('FORBIDDEN');
  });

  it('revokes: refused with UNAUTHENTICATED on the very next request, though it was cached', async () => {
    const created = await create('Leaving soon');
    expect((await readsAsAuditor(created.authToken)).errors).toBeUndefined(); // now in the instance's cache

    const r = await t.gql<{ revokeAuditorToken: { id: string; revokedAt: string } }>(ADMIN_TOKEN, REVOKE, { id: created.auditorToken.id });
    expect(r.errors).toBeUndefined();
    expect(r.data!.revokeAuditorToken.revokedAt).toEqual(expect.any(String));
    expect(refusal(await readsAsAuditor(created.authToken))).toBe('UNAUTHENTICATED');
  });

  it('revokes idempotently: a second revocation keeps the first instant', async () => {
    const { auditorToken } = await create('Twice');
    const first = await t.gql<{ revokeAuditorToken: { revokedAt: string } }>(ADMIN_TOKEN, REVOKE, { id: auditorToken.id });
    const second = await t.gql<{ revokeAuditorToken: { revokedAt: string } }>(ADMIN_TOKEN, REVOKE, { id: auditorToken.id.toUpperCase() });
    expect(second.errors).toBeUndefined();
    expect(second.data!.revokeAuditorToken.revokedAt).toBe(first.data!.revokeAuditorToken.revokedAt);
  });

  it('refuses an unknown id with NOT_FOUND and a malformed one with BAD_USER_INPUT', async () => {
    expect(refusal(await t.gql(ADMIN_TOKEN, REVOKE, { id: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect(refusal(await t.gql(ADMIN_TOKEN, REVOKE, { id: 'nope' }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(ADMIN_TOKEN, CREATE, { name: '' }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(ADMIN_TOKEN, CREATE, { name: 'tab\there' }))).toBe('BAD_USER_INPUT');
  });

  it('lets only ADMIN create, revoke and list tokens (POS and AUDITOR: FORBIDDEN; no token: UNAUTHENTICATED)', async () => {
    const { auditorToken, authToken } = await create('Target');
    const calls = [
      [CREATE, { name: 'x' }],
      [REVOKE, { id: auditorToken.id }],
      [LIST, { all: true }],
    ] as const;
    for (const [query, variables] of calls) {
      for (const token of [pos.token, AUDITOR_TOKEN, authToken]) expect(refusal(await t.gql(token, query, variables))).toBe('FORBIDDEN');
      expect(refusal(await t.gql(null, query, variables))).toBe('UNAUTHENTICATED');
      expect(refusal(await t.gql('aud_not-a-real-token-000000000000000000000000', query, variables))).toBe('UNAUTHENTICATED');
    }
    expect((await readsAsAuditor(authToken)).errors).toBeUndefined(); // the refused revocation changed nothing
  });

  it('lists live tokens, and revoked ones on request, never the tokens themselves', async () => {
    const live = await create('Listed live');
    const gone = await create('Listed revoked');
    await t.gql(ADMIN_TOKEN, REVOKE, { id: gone.auditorToken.id });
    const names = async (all: boolean) =>
      ((await t.gql<{ auditorTokens: Array<{ name: string }> }>(ADMIN_TOKEN, LIST, { all })).data?.auditorTokens ?? []).map((x) => x.name);
    expect(await names(false)).toContain('Listed live');
    expect(await names(false)).not.toContain('Listed revoked');
    expect(await names(true)).toEqual(expect.arrayContaining(['Listed live', 'Listed revoked']));
    const raw = JSON.stringify((await t.gql(ADMIN_TOKEN, LIST, { all: true })).data);
    expect(raw).not.toContain(live.authToken);
  });

  it('keeps the environment AUDITOR token working beside the stored ones', async () => {
    expect((await readsAsAuditor(AUDITOR_TOKEN)).errors).toBeUndefined();
  });

  it('lets the database refuse any change to a token but its one revocation, and any deletion', async () => {
    const { auditorToken } = await create('Guarded');
    await expect(t.sql.query("update api_tokens set name = 'renamed' where id = $1", [auditorToken.id])).rejects.toThrow(/only be revoked/);
    await expect(t.sql.query('delete from api_tokens where id = $1', [auditorToken.id])).rejects.toThrow(/append-only/);
    await t.sql.query('update api_tokens set revoked_at = now() where id = $1', [auditorToken.id]);
    await expect(t.sql.query('update api_tokens set revoked_at = now() where id = $1', [auditorToken.id])).rejects.toThrow(/only be revoked/);
  });
});

describe('AUDITOR tokens revoked by another instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TOKEN_CACHE_SECONDS: '1' });
  });
  afterAll(() => t.close());

  it('are refused within TOKEN_CACHE_SECONDS', async () => {
    const r = await t.gql<Created>(ADMIN_TOKEN, CREATE, { name: 'Elsewhere' });
    const { authToken, auditorToken } = r.data!.createAuditorToken;
    expect((await t.gql(authToken, AUDITOR_READ, { code: LIABILITY })).errors).toBeUndefined();
    // What another instance (or the auditor-token command) does: this instance's cache is not told.
    await t.sql.query('update api_tokens set revoked_at = now() where id = $1', [auditorToken.id]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(refusal(await t.gql(authToken, AUDITOR_READ, { code: LIABILITY }))).toBe('UNAUTHENTICATED');
  });
});
