import { Logger } from '@nestjs/common';
import { jetstream, JetStreamClient, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { IngestionConfig } from '../../config/ingestion-config';
import { setUpStreams } from './stream-setup';

const logger = new Logger('NATS');

/** How long a publish or a JetStream API request waits for its answer before the caller is told to retry. */
export const NATS_REQUEST_TIMEOUT_MS = 5_000;

/**
 * The process's one NATS connection, with its JetStream contexts. The client reconnects by itself (forever, to
 * any of NATS_URL's servers); while it is disconnected `connected` is false, so that a submission is answered
 * SERVICE_UNAVAILABLE at once instead of being buffered by the client and perhaps stored after its answer.
 */
export class NatsLink {
  private up = true;

  private constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    void this.watch();
  }

  /**
   * Connects and creates or checks the streams and the consumer (stream-setup.ts). An unreachable NATS or a
   * stream that does not fit refuses the start, with the connection closed again.
   */
  static async open(config: IngestionConfig, name: string): Promise<NatsLink> {
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: config.natsServers,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        timeout: NATS_REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw new Error(`cannot connect to NATS at ${config.natsServers.join(',')}: ${(error as Error).message}`);
    }
    try {
      const jsm = await jetstreamManager(connection, { timeout: NATS_REQUEST_TIMEOUT_MS });
      await setUpStreams(jsm, config);
      return new NatsLink(connection, jetstream(connection, { timeout: NATS_REQUEST_TIMEOUT_MS }), jsm);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  get connected(): boolean {
    return this.up && !this.connection.isClosed();
  }

  /**
   * Flushes what is still buffered (acknowledgements above all), then closes; without a server to flush to (or
   * one that does not answer in time) it closes at once, and what was not sent is delivered again later.
   */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    if (this.up) {
      const drained = this.connection.drain().then(
        () => true,
        () => false,
      );
      if (await Promise.race([drained, new Promise<boolean>((r) => setTimeout(() => r(false), NATS_REQUEST_TIMEOUT_MS).unref())])) return;
    }
    await this.connection.close().catch(() => undefined);
  }

  private async watch(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        logger.warn(`disconnected from ${status.server}; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.up = true;
        logger.log(`reconnected to ${status.server}`);
      }
    }
  }
}
