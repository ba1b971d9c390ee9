import { IngestionConfig, loadIngestionConfig } from './ingestion-config';

/**
 * The service's configuration, read from the environment once at start and validated as a whole: a bad value
 * stops the start with a message naming every variable that is wrong.
 */
export interface AppConfig {
  port: number;
  host: string;
  /** null: start the embedded PostgreSQL of the project. The service's own, least-privileged role. */
  databaseUrl: string | null;
  /**
   * The schema owner's URL, for migrations (and the grant of the service's role to DATABASE_URL's user). null:
   * migrations run on DATABASE_URL, which then needs the owner's rights (the service warns at start).
   */
  databaseOwnerUrl: string | null;
  migrate: boolean;
  /** null only when the embedded database is used: a token is then generated and printed. */
  adminApiToken: string | null;
  /** Optional read-only finance token. */
  auditorApiToken: string | null;
  /** Who the configured ADMIN token is, as adjustments and redemptions record it (their actor). */
  adminName: string;
  maxPurchaseAgeDays: number;
  dbPoolSize: number;
  /** At most this many concurrent purchases, or redemptions, share one database transaction. */
  purchaseBatchSize: number;
  /**
   * Purchase batches running at once. Fewer, larger batches beat many small ones: each commit costs a WAL
   * flush and a round of trigger and constraint work, whatever the batch size.
   */
  purchaseConcurrency: number;
  /**
   * Redemption batches running at once (up to purchaseBatchSize redemptions each), on connections of the same
   * pool: with the purchases' they should leave DB_POOL_SIZE room for reads. Batches of one customer wait for
   * each other's commit on its lock, so a second one in flight only keeps that lock busy between commits.
   */
  redemptionConcurrency: number;
  /** How often another instance's promotion changes are picked up. */
  promotionRefreshMs: number;
  /** How long a POS token stays cached before it is looked up again. */
  tokenCacheSeconds: number;
  seedDemo: boolean;
  embeddedPgDir: string | null;
  embeddedPgPort: number;
  logLevel: string;
  /** Development tools: the GraphQL IDE at /graphql and introspection (for callers with a token only). */
  graphqlIde: boolean;
  /** Bounds checked before any resolver runs (src/graphql/limits). */
  graphqlLimits: GraphqlLimits;
  /** Requests per second per bearer token that authenticates (0: no limit); bursts of twice that. */
  rateLimitPerToken: number;
  /** Requests per second per client address without a valid token (0: no limit); bursts of twice that. */
  rateLimitPerAddress: number;
  /** Connections of the pool that authentication lookups use, apart from the purchase path's. */
  authPoolSize: number;
  /** Server-side bounds on one statement and on one lock wait, so that no request hangs on the database. */
  dbStatementTimeoutMs: number;
  dbLockTimeoutMs: number;
  /** After SIGTERM: how long readiness answers 503 while requests are still served, before the listener closes. */
  shutdownDelayMs: number;
  /**
   * The ledger's gauges on /metrics (points outstanding, program accounts) are read from the database at most
   * once per this many seconds, however many scrapers ask: about the scrape interval.
   */
  metricsLedgerReadSeconds: number;
  /** submitPurchase's mode and, in event mode, NATS JetStream's settings (ingestion-config.ts). */
  ingestion: IngestionConfig;
}

export interface GraphqlLimits {
  /** Lexical tokens of one document: the parser stops past this. */
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  /** Characters of one name or alias: the answer repeats a name once per item of every list it sits in. */
  maxNameLength: number;
  /** Estimated cost: one per field, list fields times their page size (src/graphql/limits/cost.ts). */
  maxCost: number;
  /** Operation definitions in one document. */
  maxOperations: number;
  /** recordPurchase fields (aliases) in one request: a POS sends one. */
  maxPurchasesPerRequest: number;
  /** Bytes of one response; a larger one is replaced by a QUERY_TOO_COMPLEX error. */
  maxResponseBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = text(name)?.toLowerCase() ?? null;
    if (raw === null) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const token = (name: string): string | null => {
    const value = text(name);
    if (value !== null && value.length < 16) problems.push(`${name} must be at least 16 characters long`);
    return value;
  };
  const adminApiToken = token('ADMIN_API_TOKEN');
  if (adminApiToken === null && databaseUrl !== null) {
    problems.push('ADMIN_API_TOKEN is required when DATABASE_URL is set');
  }
  const databaseOwnerUrl = text('DATABASE_OWNER_URL');
  if (databaseOwnerUrl !== null && !/^postgres(ql)?:\/\//.test(databaseOwnerUrl)) {
    problems.push('DATABASE_OWNER_URL must be a postgres:// or postgresql:// URL');
  }
  if (databaseOwnerUrl !== null && databaseUrl === null) {
    problems.push('DATABASE_OWNER_URL needs DATABASE_URL (the embedded database makes both roles itself)');
  }
  const auditorApiToken = token('AUDITOR_API_TOKEN');
  if (auditorApiToken !== null && auditorApiToken === adminApiToken) {
    problems.push('AUDITOR_API_TOKEN must differ from ADMIN_API_TOKEN');
  }
  const adminName = text('ADMIN_NAME') ?? 'admin';
  if (adminName.length > 200 || /\p{Cc}/u.test(adminName)) {
    problems.push('ADMIN_NAME must be at most 200 characters, without control characters');
  }
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: AppConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    databaseOwnerUrl,
    migrate: bool('MIGRATE', true),
    adminApiToken,
    auditorApiToken,
    adminName,
    maxPurchaseAgeDays: int('MAX_PURCHASE_AGE_DAYS', 30, 1, 3650),
    dbPoolSize: int('DB_POOL_SIZE', 8, 2, 500),
    purchaseBatchSize: int('PURCHASE_BATCH_SIZE', 64, 1, 1000),
    purchaseConcurrency: int('PURCHASE_CONCURRENCY', 3, 1, 100),
    redemptionConcurrency: int('REDEMPTION_CONCURRENCY', 2, 1, 100),
    promotionRefreshMs: int('PROMOTION_REFRESH_MS', 1000, 50, 60000),
    tokenCacheSeconds: int('TOKEN_CACHE_SECONDS', 60, 0, 3600),
    seedDemo: bool('SEED_DEMO', databaseUrl === null),
    embeddedPgDir: text('EMBEDDED_PG_DIR'),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    logLevel,
    graphqlIde: bool('GRAPHQL_IDE', databaseUrl === null),
    graphqlLimits: {
      maxTokens: int('GRAPHQL_MAX_TOKENS', 1000, 50, 100_000),
      maxDepth: int('GRAPHQL_MAX_DEPTH', 10, 3, 100),
      maxAliases: int('GRAPHQL_MAX_ALIASES', 15, 0, 1000),
      maxNameLength: int('GRAPHQL_MAX_NAME_LENGTH', 128, 16, 4096),
      // A full recordPurchases batch (1,000 items, every field of the contract: 21 per item) costs 21,001.
      maxCost: int('GRAPHQL_MAX_COST', 30_000, 10, 10_000_000),
      maxOperations: int('GRAPHQL_MAX_OPERATIONS', 5, 1, 100),
      maxPurchasesPerRequest: int('MAX_PURCHASES_PER_REQUEST', 10, 1, 1000),
      maxResponseBytes: int('GRAPHQL_MAX_RESPONSE_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    },
    rateLimitPerToken: int('RATE_LIMIT_PER_TOKEN', 1000, 0, 1_000_000),
    rateLimitPerAddress: int('RATE_LIMIT_PER_ADDRESS', 20, 0, 1_000_000),
    authPoolSize: int('AUTH_POOL_SIZE', 2, 1, 50),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
    dbLockTimeoutMs: int('DB_LOCK_TIMEOUT_MS', 5_000, 10, 3_600_000),
    shutdownDelayMs: int('SHUTDOWN_DELAY_MS', 5_000, 0, 120_000),
    metricsLedgerReadSeconds: int('METRICS_LEDGER_READ_SECONDS', 15, 1, 3600),
    ingestion: loadIngestionConfig({ text, int, problems }),
  };
  if (config.purchaseConcurrency >= config.dbPoolSize) {
    problems.push('PURCHASE_CONCURRENCY must be below DB_POOL_SIZE: reads and health checks need a connection too');
  }
  if (config.redemptionConcurrency >= config.dbPoolSize) {
    problems.push('REDEMPTION_CONCURRENCY must be below DB_POOL_SIZE: reads and health checks need a connection too');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
