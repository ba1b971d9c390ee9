import { ConfigError, loadConfig } from '../config/config';
import { migrate } from '../database/migrator';

/** `npm run migrate`: applies migrations/ to DATABASE_URL (the service does it itself at start unless MIGRATE=false). */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, ADMIN_API_TOKEN: process.env.ADMIN_API_TOKEN ?? 'not-needed-for-migrations' });
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to migrate']);
  const applied = await migrate(config.databaseUrl);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema up to date\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
