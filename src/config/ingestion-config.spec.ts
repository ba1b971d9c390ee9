import { ConfigError, loadConfig } from './config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}

const JETSTREAM = { INGESTION_MODE: 'jetstream', NATS_URL: 'nats://127.0.0.1:4222' };

describe('the ingestion settings', () => {
  it('reads every variable', () => {
    const config = loadConfig({
      INGESTION_MODE: ' JetStream ',
      NATS_URL: 'nats://n1:4222, nats://n2:4223,tls://n3.example:4222',
      NATS_STREAM: 'PURCHASES_EU',
      NATS_SUBJECT_PREFIX: 'eu.loyalty',
      NATS_STREAM_REPLICAS: '3',
      NATS_STREAM_MAX_AGE_SECONDS: '86400',
      NATS_DUPLICATE_WINDOW_SECONDS: '600',
      NATS_ACK_WAIT_SECONDS: '45',
      NATS_MAX_DELIVER: '4',
      NATS_CONSUMER: 'writer-2',
      INGEST_BATCH_SIZE: '1000',
      INGEST_CONSUMERS: '0',
      INGEST_RETRY_BASE_MS: '250',
    });
    expect(config.ingestion).toEqual({
      mode: 'jetstream',
      natsServers: ['nats://n1:4222', 'nats://n2:4223', 'tls://n3.example:4222'],
      stream: 'PURCHASES_EU',
      subjectPrefix: 'eu.loyalty',
      streamReplicas: 3,
      streamMaxAgeSeconds: 86400,
      duplicateWindowSeconds: 600,
      ackWaitSeconds: 45,
      maxDeliver: 4,
      consumer: 'writer-2',
      batchSize: 1000,
      consumers: 0,
      retryBaseMs: 250,
    });
  });

  it.each([
    [{ NATS_URL: 'http://nats:4222' }, 'NATS_URL must be one or more comma-separated nats://host:port URLs'],
    [{ NATS_URL: 'nats://a:4222,,nats://b:4222' }, 'NATS_URL must be one or more comma-separated nats://host:port URLs'],
    [{ NATS_STREAM: 'LOYALTY.PURCHASES' }, `NATS_STREAM must be 1 to 64 letters, digits, '_' or '-' (got "LOYALTY.PURCHASES")`],
    [{ NATS_CONSUMER: 'ledger writer' }, `NATS_CONSUMER must be 1 to 64 letters, digits, '_' or '-' (got "ledger writer")`],
    [{ NATS_SUBJECT_PREFIX: 'loyalty.*' }, `NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, '_' or '-' (got "loyalty.*")`],
    [{ NATS_SUBJECT_PREFIX: 'loyalty..purchases' }, `NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, '_' or '-' (got "loyalty..purchases")`],
    [{ NATS_STREAM_REPLICAS: '0' }, 'NATS_STREAM_REPLICAS must be a whole number from 1 to 5 (got "0")'],
    [{ NATS_STREAM_REPLICAS: '6' }, 'NATS_STREAM_REPLICAS must be a whole number from 1 to 5 (got "6")'],
    [{ NATS_ACK_WAIT_SECONDS: '0' }, 'NATS_ACK_WAIT_SECONDS must be a whole number from 1 to 3600 (got "0")'],
    [{ NATS_MAX_DELIVER: '0' }, 'NATS_MAX_DELIVER must be a whole number from 1 to 1000 (got "0")'],
    [{ INGEST_BATCH_SIZE: '0' }, 'INGEST_BATCH_SIZE must be a whole number from 1 to 1000 (got "0")'],
    [{ INGEST_BATCH_SIZE: '1001' }, 'INGEST_BATCH_SIZE must be a whole number from 1 to 1000 (got "1001")'],
    [{ INGEST_CONSUMERS: '-1' }, 'INGEST_CONSUMERS must be a whole number from 0 to 64 (got "-1")'],
    [{ INGEST_RETRY_BASE_MS: '30001' }, 'INGEST_RETRY_BASE_MS must be a whole number from 1 to 30000 (got "30001")'],
    [
      { NATS_STREAM_MAX_AGE_SECONDS: '60', NATS_DUPLICATE_WINDOW_SECONDS: '120' },
      'NATS_DUPLICATE_WINDOW_SECONDS must not exceed NATS_STREAM_MAX_AGE_SECONDS',
    ],
  ])('refuses %p', (env, problem) => {
    expect(problemsOf({ ...JETSTREAM, ...env })).toEqual([problem]);
  });

  it('checks the NATS settings in direct mode too, so that a typo is not found on the day the mode changes', () => {
    expect(problemsOf({ NATS_MAX_DELIVER: 'ten' })).toEqual(['NATS_MAX_DELIVER must be a whole number from 1 to 1000 (got "ten")']);
    expect(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).ingestion.mode).toBe('direct');
  });
});
