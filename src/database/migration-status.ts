import { Client } from 'pg';
import { readMigrationFiles } from './migration-files';
import { MIGRATIONS_DIR } from './migrator';

export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing';

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  appliedAt: Date | null;
}

/**
 * `npm run migrate -- --status`: each file of migrations/ and each applied version, compared by checksum. Reads
 * only: a database never migrated has every file pending, and a row from before checksums counts as applied
 * (the next migration run records its file's checksum).
 */
export async function migrationStatus(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: table } = await client.query<{ has_checksum: boolean | null }>(
      `select (select true from information_schema.columns
                where table_schema = current_schema() and table_name = 'schema_migrations' and column_name = 'checksum')
              as has_checksum
        where to_regclass('schema_migrations') is not null`,
    );
    const recorded = table.length
      ? (
          await client.query<{ version: string; applied_at: Date; checksum: string | null }>(
            `select version, applied_at, ${table[0].has_checksum ? 'checksum' : 'null as checksum'} from schema_migrations`,
          )
        ).rows
      : [];
    const byName = new Map(recorded.map((r) => [r.version, r]));
    const files = readMigrationFiles(dir);
    const statuses: MigrationStatus[] = files.map((file) => {
      const row = byName.get(file.name);
      if (!row) return { name: file.name, state: 'pending', appliedAt: null };
      const state = row.checksum === null || row.checksum === file.checksum ? 'applied' : 'changed';
      return { name: file.name, state, appliedAt: row.applied_at };
    });
    const names = new Set(files.map((f) => f.name));
    for (const row of recorded) {
      if (!names.has(row.version)) statuses.push({ name: row.version, state: 'missing', appliedAt: row.applied_at });
    }
    return statuses.sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    await client.end();
  }
}

const NOTES: Record<MigrationState, string> = {
  applied: '',
  pending: '',
  changed: '  (edited after it was applied: `npm run migrate` refuses to run)',
  missing: '  (applied, but no such file)',
};

export function formatMigrationStatus(statuses: MigrationStatus[]): string {
  return statuses
    .map((s) => `${s.state.padEnd(8)} ${(s.appliedAt?.toISOString() ?? '').padEnd(24)} ${s.name}${NOTES[s.state]}`)
    .join('\n');
}
