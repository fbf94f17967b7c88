// npm run reindex / npm run reconcile: the index's maintenance from the command line, with the same code the
// server runs (indexers/rebuild.ts).
//
//   reindex    builds a new versioned index from the store, swaps the alias, removes the old index. Search keeps
//              answering from the old index meanwhile (with Elasticsearch, from the running servers).
//   reconcile  compares store and index, repairs every difference and reports it; --dry-run only reports.
//
// The embedded index belongs to the server process that holds it in memory: with SEARCH=embedded, stop the server
// first, or use POST /api/v1/search/rebuild and /search/reconcile (system administrator) on the running server.

import { rebuildIndex, reconcile } from '../../indexers/rebuild.ts';
import { openSearchEngine, openStore } from '../compose.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { UnavailableError } from '../domain/errors.ts';
import { ensureReferenceData } from '../seed/bootstrap.ts';

/** SQLite's "database is locked" from the embedded index means a server holds it (it owns the file). */
function inUse(e: unknown): unknown {
  return /locked/i.test(String(e)) ? new Error('the embedded search index is in use by a running server: stop it first, or use POST /api/v1/search/rebuild') : e;
}

function bar(done: number, total: number): string {
  const share = total ? Math.min(1, done / total) : 1;
  return `${'█'.repeat(Math.round(share * 30)).padEnd(30, '░')} ${done}/${total}`;
}

async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  if (command !== 'reindex' && command !== 'reconcile') throw new Error('usage: search.ts reindex | reconcile [--dry-run]');
  const config = loadConfig();
  const store = await openStore(config);
  let engine;
  try {
    engine = await openSearchEngine(config);
  } catch (e) {
    await store.close();
    throw inUse(e);
  }
  try {
    await ensureReferenceData(store);
    const status = await engine.open().catch((e) => {
      throw inUse(e);
    });
    process.stdout.write(`index: ${status.state}${status.indexName ? ` (${status.indexName}, ${status.docCount} documents)` : ''}\n`);
    if (command === 'reindex') {
      const started = Date.now();
      const r = await rebuildIndex(store, engine, {
        onProgress: (n, total) => process.stdout.write(`\rrebuilding: ${bar(n, total)}`),
      });
      process.stdout.write(`\nbuilt ${r.indexName} with ${r.loaded} documents in ${Date.now() - started} ms; alias moved${r.previous ? `, ${r.previous} removed` : ''}\n`);
    } else {
      if (status.state !== 'ready') throw new UnavailableError(`the index is ${status.state}; run npm run reindex first`);
      const r = await reconcile(store, engine, { dryRun: flags.includes('--dry-run') });
      process.stdout.write(`store records: ${r.storeRecords}, index documents: ${r.indexDocuments}\n`);
      process.stdout.write(`missing from the index: ${r.missing.length}${r.missing.length ? ` (${r.missing.slice(0, 10).join(', ')}${r.missing.length > 10 ? ', …' : ''})` : ''}\n`);
      process.stdout.write(`in the index without a live record: ${r.extra.length}${r.extra.length ? ` (${r.extra.slice(0, 10).join(', ')}${r.extra.length > 10 ? ', …' : ''})` : ''}\n`);
      process.stdout.write(`different from the record: ${r.altered.length}${r.altered.length ? ` (${r.altered.slice(0, 10).join(', ')}${r.altered.length > 10 ? ', …' : ''})` : ''}\n`);
      process.stdout.write(flags.includes('--dry-run') ? 'dry run: nothing repaired\n' : `repaired: ${r.repaired}\n`);
    }
  } finally {
    await engine.close();
    await store.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `failed: ${e instanceof Error ? e.message : String(e)}`}\n`);
  process.exit(1);
});
