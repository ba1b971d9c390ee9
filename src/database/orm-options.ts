import { defineConfig, Options } from '@mikro-orm/postgresql';
import { AppConfig } from '../config/config';
import { ENTITIES } from './entities';

/**
 * The MikroORM options of the service, from its validated configuration: the service (database.module.ts), the
 * MikroORM CLI (mikro-orm.config.ts at the root) and the entity/schema test all build them here, so that what the
 * CLI and the test check is what the service runs.
 */
export function ormOptions(config: AppConfig): Options {
  return defineConfig({
    clientUrl: config.databaseUrl ?? undefined,
    entities: ENTITIES,
    // Back-office writes only: a small pool, the purchase path has its own.
    pool: { min: 0, max: 4 },
    driverOptions: {
      connection: {
        statement_timeout: config.dbStatementTimeoutMs,
        lock_timeout: config.dbLockTimeoutMs,
        idle_in_transaction_session_timeout: config.dbStatementTimeoutMs,
        application_name: 'loyalty-ledger-orm',
      },
    },
    // Schema and migrations are plain SQL in migrations/; the ORM must not guess at them.
    discovery: { warnWhenNoEntities: true },
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
  });
}
