import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { Gauge, Histogram, Registry } from 'prom-client';
import { AUTH_POOL, SQL_POOL } from '../database/database.module';

type ConnectCallback = (error: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void;
type Connect = (callback?: ConnectCallback) => Promise<PoolClient> | undefined;

/**
 * Times every acquisition of a client from `pool`: `pool.query()` (what the repositories call) and
 * `pool.connect()` alike, since node-postgres's query() asks connect() for its client. `observe` gets the
 * seconds waited, whether the wait ended with a client or with an error (connectionTimeoutMillis, a database
 * that refuses connections): a wait that ends in a timeout is the saturation this is meant to show.
 */
export function timeAcquisitions(pool: Pool, observe: (seconds: number) => void): void {
  const connect = (pool.connect as Connect).bind(pool);
  const timed: Connect = (callback) => {
    const startedAt = performance.now();
    const waited = () => observe((performance.now() - startedAt) / 1000);
    if (callback) {
      return connect((error, client, done) => {
        waited();
        callback(error, client, done);
      });
    }
    return (connect() as Promise<PoolClient>).then(
      (client) => {
        waited();
        return client;
      },
      (error: unknown) => {
        waited();
        throw error;
      },
    );
  };
  (pool as unknown as { connect: Connect }).connect = timed;
}

/**
 * The two node-postgres pools (database.module.ts): the purchase path's and the rest's ("main", SQL_POOL) and
 * the token lookups' ("auth", AUTH_POOL). Their client counts are read at scrape time; their acquisitions are
 * timed from the start (this provider is built before any module starts querying).
 */
@Injectable()
export class PoolMetrics {
  constructor(registry: Registry, @Inject(SQL_POOL) main: Pool, @Inject(AUTH_POOL) auth: Pool) {
    const pools = { main, auth };
    new Gauge({
      name: 'loyalty_db_pool_clients',
      help: 'Clients of a database pool: total (open connections), idle, and waiting (callers queued for a client).',
      labelNames: ['pool', 'state'],
      registers: [registry],
      collect() {
        for (const [name, pool] of Object.entries(pools)) {
          this.set({ pool: name, state: 'total' }, pool.totalCount);
          this.set({ pool: name, state: 'idle' }, pool.idleCount);
          this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
        }
      },
    });
    const acquire = new Histogram({
      name: 'loyalty_db_pool_acquire_seconds',
      help: 'Time from asking a database pool for a client to getting one (or to the error that ended the wait).',
      labelNames: ['pool'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    for (const [name, pool] of Object.entries(pools)) timeAcquisitions(pool, acquire.labels(name).observe);
  }
}
