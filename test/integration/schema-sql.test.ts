import { readFileSync } from 'node:fs';
import { freshSchemaSql, SCHEMA_SQL_PATH } from '../support/write-schema-sql';

describe('the committed docs/schema.sql', () => {
  it('is what `npm run schema:sql` prints from a freshly migrated database', async () => {
    const fresh = await freshSchemaSql(process.env.LOYALTY_TEST_ADMIN_URL ?? '');
    const committed = readFileSync(SCHEMA_SQL_PATH, 'utf8');
    if (fresh !== committed) {
      throw new Error('docs/schema.sql is stale: run `npm run schema:sql` and commit the result\n' + firstDifference(committed, fresh));
    }
  });

  it('shows what a reader comes for: the purchase function in full, its guards, and the service role’s grants', () => {
    const committed = readFileSync(SCHEMA_SQL_PATH, 'utf8');
    expect(committed).toContain('CREATE OR REPLACE FUNCTION public.record_purchases(');
    expect(committed).toMatch(/FUNCTION public\.post_ledger_entries\(\)[^;]*SECURITY DEFINER/);
    expect(committed).toContain('CREATE TRIGGER ledger_entries_append_only');
    expect(committed).toContain('GRANT UPDATE (revoked_at) ON TABLE api_tokens TO loyalty_service;');
    expect(committed).toContain('checksum text');
  });
});

function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  generated: ${b[at] ?? '(end of file)'}`;
}
