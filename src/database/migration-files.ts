import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file of migrations/ as the runner sees it. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of the text, line endings as LF, so that a checkout with CRLF endings is not taken for an edit. */
  checksum: string;
  /** False when the first line is `-- migrate: no-transaction` (e.g. for CREATE INDEX CONCURRENTLY). */
  transactional: boolean;
}

const NO_TRANSACTION_MARKER = /^--\s*migrate:\s*no-transaction\s*$/;

export function readMigrationFiles(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: checksumOf(sql), transactional: !NO_TRANSACTION_MARKER.test(sql.split('\n')[0].trim()) };
    });
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}
