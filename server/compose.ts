// The only place adapters are constructed. Everything else receives ports.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESOURCE_INDEX } from '../mappings/resources.ts';
import { rebuildIndex, reconcile, reindexAgency } from '../indexers/rebuild.ts';
import { IndexSync, type SyncOptions } from '../indexers/sync.ts';
import type { SearchServices, Services } from './actions/define.ts';
import { openEmbeddedSearch } from './adapters/search/embedded/engine.ts';
import { openEmbeddedStore } from './adapters/store/embedded/store.ts';
import type { Config } from './config.ts';
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

export async function openStore(config: Pick<Config, 'store' | 'dataDir' | 'mongodbUri'>): Promise<Store> {
  if (config.store === 'mongo') {
    // Imported lazily so the embedded default never loads the MongoDB driver.
    const { openMongoStore } = await import('./adapters/store/mongo/store.ts');
    return openMongoStore({ uri: config.mongodbUri! });
  }
  return openEmbeddedStore({ path: embeddedStorePath(config) });
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
  const store = await openStore(config);
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
  const engine = await openSearchEngine(config);
  return { store, synonyms, now: () => new Date(), search: searchServices(store, engine, synonyms, log) };
}
