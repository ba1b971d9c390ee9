import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ENTITIES } from './entities';

const logger = new Logger('Database');

/** The node-postgres pool that the repositories' hand-written SQL (the purchase hot path, the ledger) runs on. */
export const SQL_POOL = Symbol('SQL_POOL');

@Global()
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      driver: PostgreSqlDriver,
      useFactory: (config: AppConfig) => ({
        driver: PostgreSqlDriver,
        // Services fork their own EntityManager; a per-request context would only cost the purchase path time.
        registerRequestContext: false,
        clientUrl: config.databaseUrl ?? undefined,
        entities: ENTITIES,
        // Back-office writes only: a small pool, the purchase path has its own.
        pool: { min: 0, max: 4 },
        // Schema and migrations are plain SQL in migrations/; the ORM must not guess at them.
        discovery: { warnWhenNoEntities: true },
        ensureDatabase: false,
        allowGlobalContext: false,
        debug: false,
      }),
    }),
  ],
  providers: [
    {
      provide: SQL_POOL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const pool = new Pool({
          connectionString: config.databaseUrl ?? undefined,
          max: config.dbPoolSize,
          idleTimeoutMillis: 30_000,
          // Pool exhaustion must surface as an error, not as a request that hangs forever.
          connectionTimeoutMillis: 10_000,
          application_name: 'loyalty-ledger',
        });
        // An idle connection cut by the server (restart, failover) is dropped and replaced; unhandled, the
        // error event would end the process.
        pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
        return pool;
      },
    },
  ],
  exports: [SQL_POOL],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
