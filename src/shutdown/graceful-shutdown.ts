import { Logger } from 'pino';
import { ConnectionDraining } from './connection-draining';

export interface ShutdownSteps {
  /** How long requests are still served after readiness turned 503, so that load balancers stop sending. */
  delayMs: number;
  /** Readiness answers 503 from now on. */
  markNotReady(): void;
  /** The listener's connections: closing the listener goes through them. */
  connections: ConnectionDraining;
  /** Everything else the application holds: the database pools above all. */
  closeApplication(): Promise<void>;
  /** The embedded PostgreSQL, when this process started it: stopped last, once nothing can use it any more. */
  stopDatabase: (() => Promise<void>) | null;
  logger: Logger;
}

/**
 * The drain, in an order that loses no request: readiness fails first while requests are still served, then the
 * listener closes and the requests in flight finish, then the pools close, then (only then) the database stops.
 * `skipDelay` ends the serving delay early (a second signal: an operator who does not want to wait).
 */
export async function drain(steps: ShutdownSteps, skipDelay: Promise<void>): Promise<void> {
  const { logger, connections } = steps;
  steps.markNotReady();
  connections.start();
  logger.info({ delayMs: steps.delayMs }, 'draining: readiness answers 503, requests still served during the delay');
  await Promise.race([sleep(steps.delayMs), skipDelay]);

  logger.info({ requestsInFlight: connections.requestsInFlight }, 'closing the listener, finishing requests in flight');
  await connections.closeListener();
  logger.info('listener closed, every request answered');

  await steps.closeApplication();
  logger.info('application closed, database pools ended');

  if (steps.stopDatabase) {
    logger.info('stopping the embedded PostgreSQL');
    await steps.stopDatabase();
    logger.info('embedded PostgreSQL stopped');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
