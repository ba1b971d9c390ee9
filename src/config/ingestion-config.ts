/**
 * How submitPurchase hands purchases over (INGESTION_MODE) and, in event mode, the JetStream stream, its dead
 * letters and the durable pull consumer that records them (docs/ingestion.md). Read with the rest of the
 * configuration by loadConfig, whose problems list it adds to.
 */
export type IngestionMode = 'direct' | 'jetstream';

export interface IngestionConfig {
  mode: IngestionMode;
  /** The NATS servers (a cluster's seeds); empty when NATS_URL is unset, which only direct mode allows. */
  natsServers: string[];
  /** The submissions' stream; dead letters go to `${stream}_DEAD`. */
  stream: string;
  /** Submissions on `${prefix}.submitted.<retailerId>.<base64url(transactionId)>`, dead letters on `${prefix}.dead.<retailerId>`. */
  subjectPrefix: string;
  streamReplicas: number;
  streamMaxAgeSeconds: number;
  /** A resend with the same message id within this window is dropped by the stream (the publish ack says duplicate). */
  duplicateWindowSeconds: number;
  /** A delivered message not acknowledged within this is delivered again: a batch must commit well within it. */
  ackWaitSeconds: number;
  /** Deliveries of a message that keeps failing (not a refusal, not the database being down) before it is dead-lettered. */
  maxDeliver: number;
  /** The durable pull consumer's name, shared by the service's loops and every ingest worker. */
  consumer: string;
  /** Messages pulled at once by one loop, recorded through the batch path. */
  batchSize: number;
  /** Pull loops inside this process (0: the service only publishes; `npm run ingest-worker` consumes). */
  consumers: number;
  /** Backoff of a retried message: this, doubling per delivery, capped at RETRY_CAP_MS. */
  retryBaseMs: number;
}

export const RETRY_CAP_MS = 30_000;

/** What loadConfig lends to the sections it composes: its readers and its list of problems. */
export interface EnvReader {
  text(name: string): string | null;
  int(name: string, fallback: number, min: number, max: number): number;
  problems: string[];
}

const NATS_URL = /^(nats|tls):\/\/[^\s/,@]+(:\d{1,5})?$/;
/** JetStream stream and consumer names: no dots, wildcards, whitespace or path separators. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Subject tokens of letters, digits, '_' and '-', separated by dots: no wildcard, no empty token. */
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function loadIngestionConfig({ text, int, problems }: EnvReader): IngestionConfig {
  const rawMode = text('INGESTION_MODE')?.toLowerCase() ?? 'direct';
  let mode: IngestionMode = 'direct';
  if (rawMode === 'direct' || rawMode === 'jetstream') mode = rawMode;
  else problems.push(`INGESTION_MODE must be direct or jetstream (got "${rawMode}")`);

  const rawUrl = text('NATS_URL');
  const natsServers = rawUrl === null ? [] : rawUrl.split(',').map((s) => s.trim());
  if (natsServers.some((s) => !NATS_URL.test(s))) {
    problems.push('NATS_URL must be one or more comma-separated nats://host:port URLs');
  }
  if (mode === 'jetstream' && rawUrl === null) problems.push('NATS_URL is required when INGESTION_MODE is jetstream');

  const name = (variable: string, fallback: string): string => {
    const value = text(variable) ?? fallback;
    if (!NAME.test(value)) problems.push(`${variable} must be 1 to 64 letters, digits, '_' or '-' (got "${value}")`);
    return value;
  };
  const stream = name('NATS_STREAM', 'LOYALTY_PURCHASES');
  const consumer = name('NATS_CONSUMER', 'ledger-writer');
  const subjectPrefix = text('NATS_SUBJECT_PREFIX') ?? 'loyalty.purchases';
  if (!SUBJECT_PREFIX.test(subjectPrefix) || subjectPrefix.length > 100) {
    problems.push(`NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, '_' or '-' (got "${subjectPrefix}")`);
  }

  const config: IngestionConfig = {
    mode,
    natsServers,
    stream,
    subjectPrefix,
    streamReplicas: int('NATS_STREAM_REPLICAS', 1, 1, 5),
    streamMaxAgeSeconds: int('NATS_STREAM_MAX_AGE_SECONDS', 604_800, 60, 315_360_000),
    duplicateWindowSeconds: int('NATS_DUPLICATE_WINDOW_SECONDS', 120, 1, 604_800),
    ackWaitSeconds: int('NATS_ACK_WAIT_SECONDS', 30, 1, 3600),
    maxDeliver: int('NATS_MAX_DELIVER', 10, 1, 1000),
    consumer,
    batchSize: int('INGEST_BATCH_SIZE', 500, 1, 1000),
    consumers: int('INGEST_CONSUMERS', 1, 0, 64),
    retryBaseMs: int('INGEST_RETRY_BASE_MS', 500, 1, RETRY_CAP_MS),
  };
  // JetStream refuses a duplicate window longer than the stream keeps its messages.
  if (config.duplicateWindowSeconds > config.streamMaxAgeSeconds) {
    problems.push('NATS_DUPLICATE_WINDOW_SECONDS must not exceed NATS_STREAM_MAX_AGE_SECONDS');
  }
  return config;
}
