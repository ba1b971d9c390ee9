/**
 * The service's configuration, read from the environment once at start and validated as a whole: a bad value
 * stops the start with a message naming every variable that is wrong.
 */
export interface AppConfig {
  port: number;
  host: string;
  /** null: start the embedded PostgreSQL of the project. */
  databaseUrl: string | null;
  migrate: boolean;
  /** null only when the embedded database is used: a token is then generated and printed. */
  adminApiToken: string | null;
  /** Optional read-only finance token. */
  auditorApiToken: string | null;
  maxPurchaseAgeDays: number;
  dbPoolSize: number;
  /** At most this many concurrent purchases share one database transaction. */
  purchaseBatchSize: number;
  /**
   * Purchase batches running at once. Fewer, larger batches beat many small ones: each commit costs a WAL
   * flush and a round of trigger and constraint work, whatever the batch size.
   */
  purchaseConcurrency: number;
  /** How often another instance's promotion changes are picked up. */
  promotionRefreshMs: number;
  /** How long a POS token stays cached before it is looked up again. */
  tokenCacheSeconds: number;
  seedDemo: boolean;
  embeddedPgDir: string | null;
  embeddedPgPort: number;
  logLevel: string;
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
  const auditorApiToken = token('AUDITOR_API_TOKEN');
  if (auditorApiToken !== null && auditorApiToken === adminApiToken) {
    problems.push('AUDITOR_API_TOKEN must differ from ADMIN_API_TOKEN');
  }
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: AppConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    migrate: bool('MIGRATE', true),
    adminApiToken,
    auditorApiToken,
    maxPurchaseAgeDays: int('MAX_PURCHASE_AGE_DAYS', 30, 1, 3650),
    dbPoolSize: int('DB_POOL_SIZE', 8, 2, 500),
    purchaseBatchSize: int('PURCHASE_BATCH_SIZE', 64, 1, 1000),
    purchaseConcurrency: int('PURCHASE_CONCURRENCY', 3, 1, 100),
    promotionRefreshMs: int('PROMOTION_REFRESH_MS', 1000, 50, 60000),
    tokenCacheSeconds: int('TOKEN_CACHE_SECONDS', 60, 0, 3600),
    seedDemo: bool('SEED_DEMO', databaseUrl === null),
    embeddedPgDir: text('EMBEDDED_PG_DIR'),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    logLevel,
  };
  if (config.purchaseConcurrency >= config.dbPoolSize) {
    problems.push('PURCHASE_CONCURRENCY must be below DB_POOL_SIZE: reads and health checks need a connection too');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
