// Typed configuration from the environment. Every problem is reported at once, so an operator fixes the
// environment in one pass instead of one restart per variable.

import { randomBytes } from 'node:crypto';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  store: 'embedded' | 'mongo';
  dataDir: string;
  mongodbUri?: string;
  search: 'embedded' | 'elasticsearch';
  elasticsearchUrl?: string;
  sessionSecret: string;
  /** Minutes of inactivity after which a session ends, and the absolute limit of one session. */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Set exactly: the number of proxies in front of the app, or 0 when clients connect directly. */
  trustProxy: number;
  /** Secure cookies need TLS; behind a TLS-terminating proxy this stays on. Off only for plain-HTTP local use. */
  secureCookies: boolean;
  /** Load the demo catalog and demo accounts on first start (embedded, non-production only). */
  demo: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Searches per second per user (or address when signed out), with bursts of three times that; 0 turns it off. */
  searchRatePerSecond: number;
  /** API reads per second per address for visitors who are not signed in, bursts of three times that; 0: off. */
  anonymousRatePerSecond: number;
  /**
   * The audit chain's key, kept outside the store: given directly (AUDIT_KEY) or as a file (AUDIT_KEY_FILE). Outside
   * production, when neither is set, a key is made once in DATA_DIR/audit.key.
   */
  auditKey?: string;
  auditKeyFile?: string;
  /** Where the audit chain's sealed head is written, outside the store. */
  auditCheckpointFile: string;
  /** How long start-up keeps retrying to open the store (a database container still starting) before it gives up. */
  storeOpenTimeoutSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, values: readonly T[], dflt: T): T => {
    const v = env[name] ?? dflt;
    if (!values.includes(v as T)) problems.push(`${name} must be one of ${values.join('|')} (got "${v}")`);
    return v as T;
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return n;
  };
  const bool = (name: string, dflt: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    if (!['true', 'false', '1', '0'].includes(raw)) problems.push(`${name} must be true or false (got "${raw}")`);
    return raw === 'true' || raw === '1';
  };

  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'], 'development');
  const production = nodeEnv === 'production';
  const store = oneOf('STORE', ['embedded', 'mongo'], 'embedded');
  const search = oneOf('SEARCH', ['embedded', 'elasticsearch'], 'embedded');
  const mongodbUri = env.MONGODB_URI || undefined;
  const elasticsearchUrl = env.ELASTICSEARCH_URL || undefined;
  if (store === 'mongo' && !mongodbUri) problems.push('MONGODB_URI is required when STORE=mongo');
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) problems.push('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  if (search === 'elasticsearch' && !elasticsearchUrl) problems.push('ELASTICSEARCH_URL is required when SEARCH=elasticsearch');
  if (elasticsearchUrl && !/^https?:\/\//.test(elasticsearchUrl)) problems.push('ELASTICSEARCH_URL must be an http(s) URL');

  let sessionSecret = env.SESSION_SECRET ?? '';
  if (!sessionSecret) {
    if (production) problems.push('SESSION_SECRET is required in production (at least 32 characters)');
    // Outside production a per-process secret is fine: sessions simply end when the process restarts.
    sessionSecret = randomBytes(32).toString('hex');
  } else if (sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must have at least 32 characters');
  }

  const auditKey = env.AUDIT_KEY || undefined;
  const auditKeyFile = env.AUDIT_KEY_FILE || undefined;
  if (auditKey && auditKey.length < 32) problems.push('AUDIT_KEY must have at least 32 characters');
  if (auditKey && auditKeyFile) problems.push('set AUDIT_KEY or AUDIT_KEY_FILE, not both');
  if (production && !auditKey && !auditKeyFile) problems.push('AUDIT_KEY or AUDIT_KEY_FILE is required in production (the audit chain\'s key, kept outside the store)');

  const demo = bool('DEMO', !production && store === 'embedded');
  if (demo && production) problems.push('DEMO cannot be on in production: demo accounts have published passwords');

  const dataDir = env.DATA_DIR || 'data';
  const config: Config = {
    env: nodeEnv,
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    store,
    dataDir,
    mongodbUri,
    search,
    elasticsearchUrl,
    sessionSecret,
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    trustProxy: int('TRUST_PROXY', 0, 0, 10),
    secureCookies: bool('SECURE_COOKIES', production),
    demo,
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
    searchRatePerSecond: int('SEARCH_RATE_PER_SECOND', 10, 0, 100_000),
    anonymousRatePerSecond: int('ANONYMOUS_RATE_PER_SECOND', 20, 0, 100_000),
    auditKey,
    auditKeyFile,
    auditCheckpointFile: env.AUDIT_CHECKPOINT_FILE || `${dataDir}/audit-checkpoint.json`,
    storeOpenTimeoutSeconds: int('STORE_OPEN_TIMEOUT_SECONDS', 60, 0, 3600),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
