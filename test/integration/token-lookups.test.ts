import { Pool, QueryConfig } from 'pg';
import { AuditorTokenDirectory } from '../../src/auditor-tokens/auditor-token-directory';
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

  it('looks an unknown AUDITOR token up once, and a token of no known kind never', async () => {
    const directory = new AuditorTokenDirectory(pool, config);
    const before = pool.statements;
    for (let i = 0; i < 100; i++) {
      expect(await directory.findLive('aud_made-up', hashToken('aud_made-up'))).toBeNull();
      expect(await directory.findLive('xyz', hashToken('xyz'))).toBeNull();
    }
    expect(pool.statements - before).toBe(1);
  });
});
