import { AckPolicy, DeliverPolicy, JetStreamApiError, JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import { IngestionConfig } from '../../config/ingestion-config';
import { deadStream, deadSubjects, submittedSubjects } from './submission-message';

/**
 * Unacknowledged messages the consumer may have out at once, over every loop of every process: above any
 * INGEST_BATCH_SIZE x INGEST_CONSUMERS x workers that is sensible, so that pulls are never starved by it.
 */
export const MAX_ACK_PENDING = 20_000;

/** JetStream's durations are nanoseconds. */
const secondsInNanos = (seconds: number) => seconds * 1_000_000_000;

/** A stream or consumer that exists with settings this process cannot work with or change: the start is refused. */
export class StreamSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamSetupError';
  }
}

type StreamSettings = Pick<StreamConfig, 'name' | 'subjects' | 'retention' | 'storage' | 'num_replicas' | 'max_age' | 'duplicate_window'>;
type ConsumerSettings = Pick<ConsumerConfig, 'durable_name' | 'ack_policy' | 'ack_wait' | 'max_deliver' | 'deliver_policy' | 'filter_subject' | 'max_ack_pending'>;

/** The submissions' stream: a work queue (a message leaves once acknowledged or terminated), on disk. */
export function submissionsStream(c: IngestionConfig): StreamSettings {
  return {
    name: c.stream,
    subjects: [submittedSubjects(c)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: c.streamReplicas,
    max_age: secondsInNanos(c.streamMaxAgeSeconds),
    duplicate_window: secondsInNanos(c.duplicateWindowSeconds),
  };
}

/** Dead letters: kept (limits retention, no age limit) until an operator has dealt with them. */
export function deadLetterStream(c: IngestionConfig): StreamSettings {
  return {
    name: deadStream(c),
    subjects: [deadSubjects(c)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: c.streamReplicas,
    max_age: 0,
    duplicate_window: secondsInNanos(c.duplicateWindowSeconds),
  };
}

export function ledgerConsumer(c: IngestionConfig): ConsumerSettings {
  return {
    durable_name: c.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: secondsInNanos(c.ackWaitSeconds),
    // Unbounded on the server: NATS_MAX_DELIVER bounds the failures that are not the database being away, and the
    // consumer applies it (submission-batch.handler.ts). A server-side bound would also count the retries of an
    // outage and, past it, leave the message in the stream with nobody to deliver it to.
    max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
    filter_subject: submittedSubjects(c),
    max_ack_pending: MAX_ACK_PENDING,
  };
}

/**
 * Creates both streams and the durable pull consumer when they are missing; an existing one is checked: what
 * JetStream can change in place (age, duplicate window, replicas, ack wait, max deliver, max ack pending) is updated to this
 * configuration, anything else that differs (retention, storage, subjects, ack policy, a push consumer) refuses
 * the start with a message that names it, since silently working on another shape would break the guarantees.
 */
export async function setUpStreams(jsm: JetStreamManager, c: IngestionConfig): Promise<void> {
  await ensureStream(jsm, submissionsStream(c));
  await ensureStream(jsm, deadLetterStream(c));
  await ensureConsumer(jsm, c.stream, ledgerConsumer(c));
}

async function ensureStream(jsm: JetStreamManager, wanted: StreamSettings): Promise<void> {
  const existing = await orNull(() => jsm.streams.info(wanted.name));
  if (existing === null) {
    await jsm.streams.add(wanted);
    return;
  }
  const have = existing.config;
  const fixed = (['retention', 'storage'] as const).filter((k) => have[k] !== wanted[k]);
  if (!sameList(have.subjects, wanted.subjects)) fixed.push('subjects' as never);
  if (fixed.length > 0) {
    throw new StreamSetupError(
      `the existing JetStream stream ${wanted.name} differs in ${fixed
        .map((k) => `${k} (${JSON.stringify(have[k])}, this configuration needs ${JSON.stringify(wanted[k])})`)
        .join(', ')}: JetStream cannot change that in place; delete the stream (after draining it) or change NATS_STREAM`,
    );
  }
  const changed = (['num_replicas', 'max_age', 'duplicate_window'] as const).filter((k) => have[k] !== wanted[k]);
  if (changed.length === 0) return;
  try {
    await jsm.streams.update(wanted.name, { ...have, ...wanted });
  } catch (error) {
    throw new StreamSetupError(
      `the existing JetStream stream ${wanted.name} differs in ${changed.join(', ')} and could not be updated: ${(error as Error).message}`,
    );
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, wanted: ConsumerSettings): Promise<void> {
  const existing = await orNull(() => jsm.consumers.info(stream, wanted.durable_name as string));
  if (existing === null) {
    await jsm.consumers.add(stream, wanted);
    return;
  }
  const have = existing.config;
  if (have.ack_policy !== wanted.ack_policy || have.deliver_subject) {
    throw new StreamSetupError(
      `the existing JetStream consumer ${wanted.durable_name} on ${stream} is not a pull consumer with explicit acknowledgements ` +
        `(ack_policy ${have.ack_policy}${have.deliver_subject ? ', push' : ''}): delete it or change NATS_CONSUMER`,
    );
  }
  const changed = (['ack_wait', 'max_deliver', 'filter_subject', 'max_ack_pending'] as const).filter((k) => have[k] !== wanted[k]);
  if (changed.length === 0) return;
  try {
    await jsm.consumers.update(stream, wanted.durable_name as string, {
      ack_wait: wanted.ack_wait,
      max_deliver: wanted.max_deliver,
      filter_subject: wanted.filter_subject,
      max_ack_pending: wanted.max_ack_pending,
    });
  } catch (error) {
    throw new StreamSetupError(
      `the existing JetStream consumer ${wanted.durable_name} differs in ${changed.join(', ')} and could not be updated: ${(error as Error).message}`,
    );
  }
}

/** The answer, or null when JetStream says the stream or consumer does not exist. */
async function orNull<T>(lookup: () => Promise<T>): Promise<T | null> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof JetStreamApiError && error.status === 404) return null;
    throw error;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
}
