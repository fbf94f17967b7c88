// The only place adapters are constructed. Everything else receives ports.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Services } from './actions/define.ts';
import { openEmbeddedStore } from './adapters/store/embedded/store.ts';
import type { Config } from './config.ts';
import { parseSynonyms } from './domain/synonyms.ts';
import type { Logger } from './log.ts';
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
  return { store, synonyms, now: () => new Date() };
}
