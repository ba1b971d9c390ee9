import { ConfigError, loadConfig } from '../config/config';
import { setUpDatabase } from '../database/database-setup';

/**
 * `npm run migrate`: applies migrations/ as DATABASE_OWNER_URL's role (else DATABASE_URL's) and makes DATABASE_URL's
 * role the service's role, as the service does at start unless MIGRATE=false.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, ADMIN_API_TOKEN: process.env.ADMIN_API_TOKEN ?? 'not-needed-for-migrations' });
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to migrate']);
  const { applied, warning } = await setUpDatabase({ ...config, databaseUrl: config.databaseUrl, migrate: true });
  process.stdout.write(applied?.length ? `applied: ${applied.join(', ')}\n` : 'schema up to date\n');
  if (warning) process.stderr.write(`warning: ${warning}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
