// The only place adapters are constructed. Everything else receives ports.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RESOURCE_INDEX } from '../mappings/resources.ts';
import { rebuildIndex, reconcile, reindexAgency } from '../indexers/rebuild.ts';
import { IndexSync, type SyncOptions } from '../indexers/sync.ts';
import { AuditTrail } from './actions/audit-trail.ts';
import type { SearchServices, Services } from './actions/define.ts';
import { fileCheckpoints } from './adapters/checkpoint/file.ts';
import { openEmbeddedSearch } from './adapters/search/embedded/engine.ts';
import { openEmbeddedStore } from './adapters/store/embedded/store.ts';
import type { Config } from './config.ts';
import { UnavailableError } from './domain/errors.ts';
import { synonymGroups } from './domain/search.ts';
import { type SynonymMap, parseSynonyms } from './domain/synonyms.ts';
import type { Logger } from './log.ts';
import type { RebuildReport, SearchEngine } from './ports/search.ts';
import type { Store } from './ports/store.ts';
import { ensureReferenceData } from './seed/bootstrap.ts';

export const SYNONYMS_FILE = resolve(import.meta.dirname, '../mappings/synonyms.txt');

export function loadSynonyms() {
  return parseSynonyms(readFileSync(SYNONYMS_FILE, 'utf8'));
}

export function embeddedStorePath(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'catalog.db');
}

export type StoreConfig = Pick<Config, 'store' | 'dataDir' | 'mongodbUri' | 'auditKey' | 'auditKeyFile'> & Partial<Pick<Config, 'storeOpenTimeoutSeconds'>>;

/**
 * The audit chain's key: AUDIT_KEY, or the contents of AUDIT_KEY_FILE (a mounted secret). Outside production,
 * without either, one is made once in DATA_DIR/audit.key (0600), beside the store but not in it: whoever can
 * write the database still cannot re-hash a rewritten log. config.ts refuses production without one.
 */
export function loadAuditKey(config: Pick<Config, 'dataDir' | 'auditKey' | 'auditKeyFile'>): Buffer {
  if (config.auditKey) return Buffer.from(config.auditKey, 'utf8');
  const file = config.auditKeyFile ?? join(config.dataDir, 'audit.key');
  if (!config.auditKeyFile && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`the audit key in ${file} is shorter than 32 characters`);
  return Buffer.from(key, 'utf8');
}

/**
 * Opens the store of record. A store that is not reachable yet (a MongoDB container still electing its primary)
 * is retried with backoff up to `storeOpenTimeoutSeconds`; anything else fails at once.
 */
export async function openStore(config: StoreConfig, log?: Logger, auditKey = loadAuditKey(config)): Promise<Store> {
  const open = async (): Promise<Store> => {
    if (config.store === 'mongo') {
      // Imported lazily so the embedded default never loads the MongoDB driver.
      const { openMongoStore } = await import('./adapters/store/mongo/store.ts');
      return openMongoStore({ uri: config.mongodbUri!, auditKey });
    }
    return openEmbeddedStore({ path: embeddedStorePath(config), auditKey });
  };
  return withRetry(open, (config.storeOpenTimeoutSeconds ?? 0) * 1000, (attempt, waitMs, e) =>
    log?.warn('store not reachable yet; retrying', { attempt, waitMs, error: e instanceof Error ? e.message : String(e) }));
}

/** Runs `fn` until it succeeds or fails with something other than UnavailableError, or `budgetMs` has passed. */
export async function withRetry<T>(fn: () => Promise<T>, budgetMs: number, onRetry?: (attempt: number, waitMs: number, e: unknown) => void): Promise<T> {
  const deadline = Date.now() + budgetMs;
  let wait = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof UnavailableError) || Date.now() + wait > deadline) throw e;
      onRetry?.(attempt, wait, e);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5000);
    }
  }
}

/** The audit chain's verifier and checkpointer for a store (the checkpoint lives outside it, in a file). */
export function auditTrail(store: Store, config: Pick<Config, 'dataDir' | 'auditKey' | 'auditKeyFile' | 'auditCheckpointFile'>, log?: Logger, auditKey = loadAuditKey(config)): AuditTrail {
  return new AuditTrail(store.audit, auditKey, fileCheckpoints(config.auditCheckpointFile), () => new Date(), log);
}

export function embeddedSearchPath(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'search.db');
}

export async function openSearchEngine(config: Pick<Config, 'search' | 'dataDir' | 'elasticsearchUrl'>): Promise<SearchEngine> {
  if (config.search === 'elasticsearch') {
    // Imported lazily so the embedded default never loads the Elasticsearch client.
    const { openElasticsearchSearch } = await import('./adapters/search/elasticsearch/engine.ts');
    return openElasticsearchSearch({ node: config.elasticsearchUrl!, synonymsText: readFileSync(SYNONYMS_FILE, 'utf8') });
  }
  return openEmbeddedSearch({ path: embeddedSearchPath(config) });
}

/** The index, the sync worker that follows the store, and the rebuild/reconcile operations over them. */
export function searchServices(store: Store, engine: SearchEngine, synonyms: SynonymMap, log?: Logger, opts: { timeoutMs?: number; sync?: SyncOptions } = {}): SearchServices {
  const sync = new IndexSync(store, engine, { log, ...opts.sync });
  let running: Promise<RebuildReport> | undefined;
  const rebuild = () => {
    running ??= rebuildIndex(store, engine, {
      sync,
      onProgress: (n, total) => {
        if (n === total || n % 10_000 === 0) log?.info(`search index rebuild: ${n}/${total}`);
      },
    }).finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    engine, sync, groups: synonymGroups(synonyms), timeoutMs: opts.timeoutMs ?? 3000, rebuild,
    reconcile: () => reconcile(store, engine, { sync }),
    agencyChanged: (id) => reindexAgency(store, engine, id),
  };
}

/**
 * Start-up of the index (F13), in the background so the server answers meanwhile (search says "loading" or
 * "rebuilding"): open it, build it when it is missing or of an older mapping version (the old one keeps serving
 * until the new one is swapped in), and start following the store. An index that disappears later is rebuilt by
 * the same check; writes never create one.
 */
export function startSearch(s: SearchServices, log: Logger, checkEveryMs = 30_000): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    try {
      const status = await s.engine.open();
      // Only an older version is replaced: during a rolling deploy an old instance must not rebuild a newer index.
      if (status.state === 'missing' || (status.state === 'ready' && (status.mappingVersion ?? 0) < RESOURCE_INDEX.version)) {
        if (!status.rebuilding) {
          log.info('building the search index', { reason: status.state === 'missing' ? 'missing' : `mapping v${status.mappingVersion} → v${RESOURCE_INDEX.version}` });
          const r = await s.rebuild();
          log.info('search index built', { ...r });
        }
      }
    } catch (e) {
      log.warn('search index not available yet', { error: e instanceof Error ? e.message : String(e) });
    }
    if (!stopped) timer = setTimeout(check, checkEveryMs);
  };
  // The worker starts once the index has been looked at (and built if missing), so it does not start by waiting.
  void check().then(() => {
    if (!stopped) s.sync.start();
  });
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await s.sync.stop();
    },
  };
}

export async function compose(config: Config, log: Logger): Promise<Services> {
  const auditKey = loadAuditKey(config);
  const store = await openStore(config, log, auditKey);
  const synonyms = loadSynonyms();
  const ref = await ensureReferenceData(store);
  if (ref.agencies || ref.nodes) log.info('reference data seeded', ref);
  if (config.demo && (await store.resources.count()) === 0) {
    log.info('loading the demo catalog (first start of the embedded demo)');
    const started = Date.now();
    // The demo module (and its data) is only loaded when the demo is on.
    const { loadDemo } = await import('./seed/load.ts');
    const r = await loadDemo(store, synonyms, (stage, done, total) => {
      if (done === total || done % 100 === 0) log.info(`demo ${stage}: ${done}/${total}`);
    });
    log.info('demo catalog loaded', { ...r, ms: Date.now() - started });
  }
  // Start-up verifies what was appended since the last checkpoint (F20); /health/ready reports the verdict.
  const trail = auditTrail(store, config, log, auditKey);
  const verdict = await trail.verify('since-checkpoint');
  if (verdict.ok) log.info('audit chain verified since the last checkpoint', { checked: verdict.checked, head: verdict.head?.seq ?? 0 });
  const engine = await openSearchEngine(config);
  return { store, synonyms, now: () => new Date(), search: searchServices(store, engine, synonyms, log), auditTrail: trail };
}
