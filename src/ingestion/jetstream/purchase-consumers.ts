import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { NatsLink } from './nats-link';
import { SubmissionBatchHandler } from './submission-batch.handler';

const logger = new Logger('IngestConsumer');

/** How long one pull waits for messages before it is renewed: also the longest a stop waits for a pull to end. */
export const PULL_EXPIRES_MS = 1_000;
const PAUSE_AFTER_ERROR_MS = 1_000;

/**
 * INGEST_CONSUMERS pull loops on the durable consumer, started when the application is up and stopped before it
 * closes: each loop pulls up to INGEST_BATCH_SIZE messages, hands them to the batch handler and pulls again. A stop
 * lets every loop finish the batch in hand (so every message it holds is settled) and runs in
 * beforeApplicationShutdown, before the database pools and the NATS connection close (onApplicationShutdown).
 */
@Injectable()
export class PurchaseConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private loops: Array<Promise<void>> = [];
  private stopping = false;
  private wakeUp: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wakeUp = resolve));

  constructor(
    private readonly nats: NatsLink,
    private readonly handler: SubmissionBatchHandler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get running(): number {
    return this.stopping ? 0 : this.loops.length;
  }

  onApplicationBootstrap(): void {
    for (let i = 0; i < this.config.ingestion.consumers; i++) this.loops.push(this.run(i));
    if (this.loops.length > 0) logger.log(`${this.loops.length} pull loop(s) on ${this.config.ingestion.stream}/${this.config.ingestion.consumer}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    await Promise.all(this.loops);
  }

  private async run(loop: number): Promise<void> {
    const { stream, consumer: name, batchSize } = this.config.ingestion;
    let consumer: Consumer | null = null;
    while (!this.stopping) {
      const messages: JsMsg[] = [];
      try {
        consumer ??= await this.nats.js.consumers.get(stream, name);
        const pulled = await consumer.fetch({ max_messages: batchSize, expires: PULL_EXPIRES_MS });
        for await (const msg of pulled) messages.push(msg);
      } catch (error) {
        // NATS away or the consumer gone: what was pulled is handled, then the pull is tried again shortly.
        logger.warn(`loop ${loop}: pull failed: ${(error as Error).message}`);
        if (messages.length === 0) {
          await this.pause(PAUSE_AFTER_ERROR_MS);
          continue;
        }
      }
      if (messages.length === 0) continue;
      try {
        await this.handler.handle(messages);
      } catch (error) {
        // A bug: the messages not settled yet come back after the ack wait.
        logger.error(`loop ${loop}: batch of ${messages.length} failed: ${(error as Error).stack ?? String(error)}`);
        await this.pause(PAUSE_AFTER_ERROR_MS);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), this.stopped]);
  }
}
