import { Pool, QueryConfig } from 'pg';
import { ApiTokenDirectory } from '../../src/api-tokens/api-token-directory';
import { hashToken } from '../../src/common/auth/tokens';
import { loadConfig } from '../../src/config/config';
import { RetailerDirectory } from '../../src/retailers/retailer-directory';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** A real pool that counts the statements it is given. */
class CountingPool extends Pool {
  statements = 0;
  override query(...args: unknown[]): never {
    this.statements++;
    return (super.query as (...a: unknown[]) => never)(...(args as [QueryConfig]));
  }
}

describe('token lookups: one per token per cache period, unknown tokens included', () => {
  let db: TestDatabase;
  let pool: CountingPool;
  const config = loadConfig({ TOKEN_CACHE_SECONDS: '60' });
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new CountingPool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('looks an unknown POS token up once, however often it is presented', async () => {
    const directory = new RetailerDirectory(pool, config);
    const before = pool.statements;
    for (let i = 0; i < 100; i++) expect(await directory.findByTokenDigest(hashToken('pos_made-up'))).toBeNull();
    expect(pool.statements - before).toBe(1);
  });

  it('looks an unknown API token up once per kind, and a token of no known kind never', async () => {
    const directory = new ApiTokenDirectory(pool, config);
    const before = pool.statements;
    for (let i = 0; i < 100; i++) {
      expect(await directory.findLive('aud_made-up', hashToken('aud_made-up'))).toBeNull();
      expect(await directory.findLive('rwd_made-up', hashToken('rwd_made-up'))).toBeNull();
      for (const other of ['xyz', 'pos_made-up', 'rwd', 'RWD_made-up', '_rwd_made-up']) {
        expect(await directory.findLive(other, hashToken(other))).toBeNull();
      }
    }
    expect(pool.statements - before).toBe(2);
  });

  it('finds a live token as { id, role, name } once, and a revoked one once more, then from the cache', async () => {
    const token = 'rwd_lookup-test-token';
    const { rows }: { rows: Array<{ id: string }> } = await pool.query(
      "insert into api_tokens (role, name, token_hash) values ('REWARDS', 'Rewards shop', $1) returning id",
      [hashToken(token)],
    );
    const id = rows[0].id;
    const directory = new ApiTokenDirectory(pool, config);
    const before = pool.statements;
    for (let i = 0; i < 50; i++) expect(await directory.findLive(token, hashToken(token))).toEqual({ id, role: 'REWARDS', name: 'Rewards shop' });
    expect(pool.statements - before).toBe(1);

    await pool.query('update api_tokens set revoked_at = now() where id = $1', [id]);
    directory.evict(id);
    const afterRevocation = pool.statements;
    for (let i = 0; i < 50; i++) expect(await directory.findLive(token, hashToken(token))).toBeNull();
    expect(pool.statements - afterRevocation).toBe(1);
  });

  it('accepts a token only as the kind its prefix names', async () => {
    // A REWARDS row whose token text says AUDITOR: the service never makes one, and must not honour one.
    const token = 'aud_stored-as-rewards';
    await pool.query("insert into api_tokens (role, name, token_hash) values ('REWARDS', 'Mislabelled', $1)", [hashToken(token)]);
    expect(await new ApiTokenDirectory(pool, config).findLive(token, hashToken(token))).toBeNull();
  });
});
