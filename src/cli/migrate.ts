import { ConfigError } from '../config/config';
import { setUpDatabase } from '../database/database-setup';
import { formatMigrationStatus, migrationStatus } from '../database/migration-status';
import { loadCliConfig } from './cli-database';

/**
 * `npm run migrate`: applies migrations/ as DATABASE_OWNER_URL's role (else DATABASE_URL's) and makes DATABASE_URL's
 * role the service's role, as the service does at start unless MIGRATE=false. With `--status` it changes nothing
 * and lists each file as applied (with when), pending, changed (edited since applied) or missing; exit 1 on any
 * changed or missing file, which a migration run would refuse or could not reproduce.
 */
async function main(): Promise<void> {
  const config = loadCliConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to migrate']);
  if (process.argv.includes('--status')) {
    const statuses = await migrationStatus(config.databaseOwnerUrl ?? config.databaseUrl);
    process.stdout.write(`${formatMigrationStatus(statuses)}\n`);
    if (statuses.some((s) => s.state === 'changed' || s.state === 'missing')) process.exitCode = 1;
    return;
  }
  const { applied, warning } = await setUpDatabase({ ...config, databaseUrl: config.databaseUrl, migrate: true });
  process.stdout.write(applied?.length ? `applied: ${applied.join(', ')}\n` : 'schema up to date\n');
  if (warning) process.stderr.write(`warning: ${warning}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
