import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ormOptions } from './orm-options';

const logger = new Logger('Database');

/** The node-postgres pool that the repositories' hand-written SQL (the purchase hot path, the ledger) runs on. */
export const SQL_POOL = Symbol('SQL_POOL');
/**
 * A small pool of its own for token lookups: a flood of requests with unknown tokens must not take the purchase
 * path's connections (it waits here, alone, and is rate-limited per address besides).
 */
export const AUTH_POOL = Symbol('AUTH_POOL');

/**
 * A pool whose every connection carries the server-side timeouts, so that no request waits on the database
 * forever: a statement or a lock wait over its bound fails (SERVICE_UNAVAILABLE, retryable) instead.
 */
function createPool(config: AppConfig, max: number, name: string): Pool {
  const pool = new Pool({
    connectionString: config.databaseUrl ?? undefined,
    max,
    idleTimeoutMillis: 30_000,
    // Pool exhaustion or a database that does not answer must surface as an error, not as a request that hangs.
    connectionTimeoutMillis: 10_000,
    statement_timeout: config.dbStatementTimeoutMs,
    lock_timeout: config.dbLockTimeoutMs,
    idle_in_transaction_session_timeout: config.dbStatementTimeoutMs,
    application_name: name,
  });
  // An idle connection cut by the server (restart, failover) is dropped and replaced; unhandled, the error event
  // would end the process.
  pool.on('error', (error) => logger.warn(`idle database connection lost (${name}): ${error.message}`));
  return pool;
}

@Global()
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      driver: PostgreSqlDriver,
      // No per-request ORM context: services fork their own EntityManager, and the context's middleware would put
      // an AsyncLocalStorage around every request, whose promise hooks cost the purchase path about a fifth of its
      // throughput (profiled: every request, purchases included, went through it).
      useFactory: (config: AppConfig) => ({ ...ormOptions(config), registerRequestContext: false }),
    }),
  ],
  providers: [
    { provide: SQL_POOL, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createPool(c, c.dbPoolSize, 'loyalty-ledger') },
    { provide: AUTH_POOL, inject: [APP_CONFIG], useFactory: (c: AppConfig) => createPool(c, c.authPoolSize, 'loyalty-ledger-auth') },
  ],
  exports: [SQL_POOL, AUTH_POOL],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    @Inject(AUTH_POOL) private readonly authPool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.end(), this.authPool.end()]);
  }
}
