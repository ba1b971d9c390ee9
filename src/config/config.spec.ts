import { AppConfig, ConfigError, loadConfig } from './config';
import { IngestionConfig } from './ingestion-config';

const TOKEN = 'admin-token-0123456789';
const DB = 'postgres://loyalty:secret@db.example:5432/loyalty';

/** The problems that loadConfig reports for an environment, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}

/** The ingestion settings of an environment that sets none of them: direct mode, JetStream's documented defaults. */
const DEFAULT_INGESTION: IngestionConfig = {
  mode: 'direct',
  natsServers: [],
  stream: 'LOYALTY_PURCHASES',
  subjectPrefix: 'loyalty.purchases',
  streamReplicas: 1,
  streamMaxAgeSeconds: 604_800,
  duplicateWindowSeconds: 120,
  ackWaitSeconds: 30,
  maxDeliver: 10,
  consumer: 'ledger-writer',
  batchSize: 500,
  consumers: 1,
  retryBaseMs: 500,
};

describe('loadConfig', () => {
  it('has defaults for an empty environment (embedded database)', () => {
    const expected: AppConfig = {
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      databaseOwnerUrl: null,
      migrate: true,
      adminApiToken: null,
      auditorApiToken: null,
      adminName: 'admin',
      maxPurchaseAgeDays: 30,
      dbPoolSize: 8,
      purchaseBatchSize: 64,
      purchaseConcurrency: 3,
      redemptionConcurrency: 2,
      promotionRefreshMs: 1000,
      tokenCacheSeconds: 60,
      seedDemo: true,
      embeddedPgDir: null,
      embeddedPgPort: 54329,
      logLevel: 'info',
      graphqlIde: true,
      graphqlLimits: {
        maxTokens: 1000,
        maxDepth: 10,
        maxAliases: 15,
        maxNameLength: 128,
        maxCost: 30_000,
        maxOperations: 5,
        maxPurchasesPerRequest: 10,
        maxResponseBytes: 4 * 1024 * 1024,
      },
      rateLimitPerToken: 1000,
      rateLimitPerAddress: 20,
      authPoolSize: 2,
      dbStatementTimeoutMs: 15_000,
      dbLockTimeoutMs: 5_000,
      shutdownDelayMs: 5_000,
      metricsLedgerReadSeconds: 15,
      ingestion: DEFAULT_INGESTION,
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('does not seed demo data by default against a real database', () => {
    const config = loadConfig({ DATABASE_URL: DB, ADMIN_API_TOKEN: TOKEN });
    expect(config.databaseUrl).toBe(DB);
    expect(config.adminApiToken).toBe(TOKEN);
    expect(config.seedDemo).toBe(false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://db/loyalty',
      MIGRATE: 'no',
      ADMIN_API_TOKEN: TOKEN,
      AUDITOR_API_TOKEN: 'auditor-token-0123456789',
      MAX_PURCHASE_AGE_DAYS: '7',
      DB_POOL_SIZE: '20',
      PURCHASE_BATCH_SIZE: '128',
      PURCHASE_CONCURRENCY: '4',
      REDEMPTION_CONCURRENCY: '5',
      PROMOTION_REFRESH_MS: '5000',
      TOKEN_CACHE_SECONDS: '0',
      SEED_DEMO: 'TRUE',
      EMBEDDED_PG_DIR: '/var/lib/pg',
      EMBEDDED_PG_PORT: '6543',
      LOG_LEVEL: 'debug',
      DATABASE_OWNER_URL: 'postgres://owner@db/loyalty',
      GRAPHQL_IDE: 'true',
      GRAPHQL_MAX_TOKENS: '500',
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_NAME_LENGTH: '64',
      GRAPHQL_MAX_COST: '1000',
      GRAPHQL_MAX_OPERATIONS: '1',
      MAX_PURCHASES_PER_REQUEST: '2',
      GRAPHQL_MAX_RESPONSE_BYTES: '65536',
      RATE_LIMIT_PER_TOKEN: '0',
      RATE_LIMIT_PER_ADDRESS: '7',
      AUTH_POOL_SIZE: '3',
      DB_STATEMENT_TIMEOUT_MS: '2000',
      DB_LOCK_TIMEOUT_MS: '500',
      SHUTDOWN_DELAY_MS: '0',
      METRICS_LEDGER_READ_SECONDS: '60',
      ADMIN_NAME: ' Back office (Jane) ',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://db/loyalty',
      databaseOwnerUrl: 'postgres://owner@db/loyalty',
      migrate: false,
      adminApiToken: TOKEN,
      auditorApiToken: 'auditor-token-0123456789',
      adminName: 'Back office (Jane)',
      maxPurchaseAgeDays: 7,
      dbPoolSize: 20,
      purchaseBatchSize: 128,
      purchaseConcurrency: 4,
      redemptionConcurrency: 5,
      promotionRefreshMs: 5000,
      tokenCacheSeconds: 0,
      seedDemo: true,
      embeddedPgDir: '/var/lib/pg',
      embeddedPgPort: 6543,
      logLevel: 'debug',
      graphqlIde: true,
      graphqlLimits: {
        maxTokens: 500,
        maxDepth: 8,
        maxAliases: 5,
        maxNameLength: 64,
        maxCost: 1000,
        maxOperations: 1,
        maxPurchasesPerRequest: 2,
        maxResponseBytes: 65536,
      },
      rateLimitPerToken: 0,
      rateLimitPerAddress: 7,
      authPoolSize: 3,
      dbStatementTimeoutMs: 2000,
      dbLockTimeoutMs: 500,
      shutdownDelayMs: 0,
      metricsLedgerReadSeconds: 60,
      ingestion: DEFAULT_INGESTION,
    });
  });

  it('turns the GraphQL IDE off by default against a real database', () => {
    expect(loadConfig({ DATABASE_URL: DB, ADMIN_API_TOKEN: TOKEN }).graphqlIde).toBe(false);
    expect(problemsOf({ GRAPHQL_IDE: 'sometimes' })).toEqual(['GRAPHQL_IDE must be true or false (got "sometimes")']);
  });

  it('refuses an ADMIN_NAME that an auditor could not read as one line', () => {
    const problem = 'ADMIN_NAME must be at most 200 characters, without control characters';
    expect(problemsOf({ ADMIN_NAME: 'Jane\u0007(finance)' })).toEqual([problem]);
    expect(problemsOf({ ADMIN_NAME: 'x'.repeat(201) })).toEqual([problem]);
    expect(problemsOf({ ADMIN_NAME: 'x'.repeat(200) })).toEqual([]);
  });

  it('names a DATABASE_OWNER_URL that is not postgres or comes without DATABASE_URL', () => {
    expect(problemsOf({ DATABASE_URL: DB, ADMIN_API_TOKEN: TOKEN, DATABASE_OWNER_URL: 'mysql://x' })).toEqual([
      'DATABASE_OWNER_URL must be a postgres:// or postgresql:// URL',
    ]);
    expect(problemsOf({ DATABASE_OWNER_URL: DB })).toEqual([
      'DATABASE_OWNER_URL needs DATABASE_URL (the embedded database makes both roles itself)',
    ]);
  });

  it('treats blank values as unset and trims the others', () => {
    const config = loadConfig({ PORT: '  ', LOG_LEVEL: '', HOST: ' ::1 ', MIGRATE: ' 0 ' });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.host).toBe('::1');
    expect(config.migrate).toBe(false);
  });

  it.each(['abc', '-1', '65536', '3000.5', '1e3', '0x50'])('names PORT when it is %p', (port) => {
    const problems = problemsOf({ PORT: port });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT must be a whole number from 0 to 65535/);
    expect(problems[0]).toContain(`"${port}"`);
  });

  it.each(['0', '65535'])('accepts PORT %p', (port) => {
    expect(loadConfig({ PORT: port }).port).toBe(Number(port));
  });

  it('names a short ADMIN_API_TOKEN and a short AUDITOR_API_TOKEN', () => {
    expect(problemsOf({ ADMIN_API_TOKEN: 'short' })).toEqual(['ADMIN_API_TOKEN must be at least 16 characters long']);
    expect(problemsOf({ ADMIN_API_TOKEN: TOKEN, AUDITOR_API_TOKEN: '123456789012345' })).toEqual([
      'AUDITOR_API_TOKEN must be at least 16 characters long',
    ]);
    expect(loadConfig({ ADMIN_API_TOKEN: '1234567890123456' }).adminApiToken).toBe('1234567890123456');
  });

  it('requires ADMIN_API_TOKEN with DATABASE_URL', () => {
    expect(problemsOf({ DATABASE_URL: DB })).toEqual(['ADMIN_API_TOKEN is required when DATABASE_URL is set']);
    expect(problemsOf({ DATABASE_URL: DB, ADMIN_API_TOKEN: '   ' })).toEqual([
      'ADMIN_API_TOKEN is required when DATABASE_URL is set',
    ]);
  });

  it('refuses an auditor token equal to the admin token', () => {
    expect(problemsOf({ ADMIN_API_TOKEN: TOKEN, AUDITOR_API_TOKEN: TOKEN })).toEqual([
      'AUDITOR_API_TOKEN must differ from ADMIN_API_TOKEN',
    ]);
  });

  it.each(['mysql://db/loyalty', 'http://db', 'db:5432'])('names DATABASE_URL %p', (url) => {
    expect(problemsOf({ DATABASE_URL: url, ADMIN_API_TOKEN: TOKEN })).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    ]);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['Yes', true],
    ['FALSE', false],
    ['0', false],
    ['no', false],
  ])('reads MIGRATE=%p as %p', (value, expected) => {
    expect(loadConfig({ MIGRATE: value }).migrate).toBe(expected);
  });

  it.each(['maybe', 'on', '2'])('names MIGRATE when it is %p', (value) => {
    const problems = problemsOf({ MIGRATE: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MIGRATE must be true or false/);
  });

  it.each(['verbose', 'INFO-ish', 'warning'])('names LOG_LEVEL when it is %p', (level) => {
    const problems = problemsOf({ LOG_LEVEL: level });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it.each([
    ['MAX_PURCHASE_AGE_DAYS', '0', 'MAX_PURCHASE_AGE_DAYS must be a whole number from 1 to 3650'],
    ['DB_POOL_SIZE', '1', 'DB_POOL_SIZE must be a whole number from 2 to 500'],
    ['PURCHASE_BATCH_SIZE', '1001', 'PURCHASE_BATCH_SIZE must be a whole number from 1 to 1000'],
    ['REDEMPTION_CONCURRENCY', '0', 'REDEMPTION_CONCURRENCY must be a whole number from 1 to 100'],
    ['PROMOTION_REFRESH_MS', '10', 'PROMOTION_REFRESH_MS must be a whole number from 50 to 60000'],
    ['TOKEN_CACHE_SECONDS', '-5', 'TOKEN_CACHE_SECONDS must be a whole number from 0 to 3600'],
    ['EMBEDDED_PG_PORT', '0', 'EMBEDDED_PG_PORT must be a whole number from 1 to 65535'],
    ['METRICS_LEDGER_READ_SECONDS', '0', 'METRICS_LEDGER_READ_SECONDS must be a whole number from 1 to 3600'],
    ['METRICS_LEDGER_READ_SECONDS', '3601', 'METRICS_LEDGER_READ_SECONDS must be a whole number from 1 to 3600'],
    ['METRICS_LEDGER_READ_SECONDS', '1.5', 'METRICS_LEDGER_READ_SECONDS must be a whole number from 1 to 3600'],
    ['GRAPHQL_MAX_NAME_LENGTH', '8', 'GRAPHQL_MAX_NAME_LENGTH must be a whole number from 16 to 4096'],
  ])('names %s when out of range (%p)', (name, value, message) => {
    const problems = problemsOf({ [name]: value, ...(name === 'DB_POOL_SIZE' ? { PURCHASE_CONCURRENCY: '1' } : {}) });
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
  });

  it('requires PURCHASE_CONCURRENCY below DB_POOL_SIZE', () => {
    expect(problemsOf({ DB_POOL_SIZE: '4', PURCHASE_CONCURRENCY: '4' })).toEqual([
      'PURCHASE_CONCURRENCY must be below DB_POOL_SIZE: reads and health checks need a connection too',
    ]);
    expect(loadConfig({ DB_POOL_SIZE: '4', PURCHASE_CONCURRENCY: '3' }).purchaseConcurrency).toBe(3);
  });

  it('requires REDEMPTION_CONCURRENCY below DB_POOL_SIZE', () => {
    expect(problemsOf({ DB_POOL_SIZE: '3', PURCHASE_CONCURRENCY: '1', REDEMPTION_CONCURRENCY: '3' })).toEqual([
      'REDEMPTION_CONCURRENCY must be below DB_POOL_SIZE: reads and health checks need a connection too',
    ]);
    expect(loadConfig({ DB_POOL_SIZE: '3', PURCHASE_CONCURRENCY: '1', REDEMPTION_CONCURRENCY: '2' }).redemptionConcurrency).toBe(2);
  });

  it('refuses event ingestion without NATS_URL, and a mode it does not know', () => {
    expect(problemsOf({ INGESTION_MODE: 'jetstream' })).toEqual(['NATS_URL is required when INGESTION_MODE is jetstream']);
    expect(problemsOf({ INGESTION_MODE: 'kafka' })).toEqual(['INGESTION_MODE must be direct or jetstream (got "kafka")']);
    expect(loadConfig({ INGESTION_MODE: 'jetstream', NATS_URL: 'nats://127.0.0.1:4222' }).ingestion).toEqual({
      ...DEFAULT_INGESTION,
      mode: 'jetstream',
      natsServers: ['nats://127.0.0.1:4222'],
    });
  });

  it('reports every problem at once, and names each in the message', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://db/loyalty',
        MIGRATE: 'perhaps',
        LOG_LEVEL: 'loud',
        AUDITOR_API_TOKEN: 'tiny',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message, name } = error as ConfigError;
    expect(name).toBe('ConfigError');
    expect(problems).toHaveLength(6);
    for (const variable of ['PORT', 'DATABASE_URL', 'ADMIN_API_TOKEN', 'AUDITOR_API_TOKEN', 'MIGRATE', 'LOG_LEVEL']) {
      expect(problems.some((p) => p.startsWith(`${variable} `))).toBe(true);
      expect(message).toContain(`- ${variable} `);
    }
    expect(message.startsWith('Invalid configuration:\n  - ')).toBe(true);
  });
});
