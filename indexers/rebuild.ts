// Full rebuild and reconciliation: the same collator as incremental sync, fed from the store's change feed.
//
// Reading the feed from the beginning gives every live record in write order, and a record changed while the
// rebuild reads moves to the end of the feed, so it is read again: the feed's final cursor is exactly where the
// catch-up pass starts (architecture.md rule 3). The live sync worker keeps updating the old index throughout and
// is held only for the catch-up and the alias swap.

import type { Resource } from '../server/domain/resource.ts';
import type { SearchDocument } from '../server/domain/search.ts';
import type { IndexWriter, RebuildReport, SearchEngine } from '../server/ports/search.ts';
import type { Store } from '../server/ports/store.ts';
import { type CollatorRefs, loadRefs, toDocument } from './resources.ts';
import type { IndexSync } from './sync.ts';

const PAGE = 1000;

interface Feed {
  cursor?: string;
  /** Tombstones met on the way: a record read live earlier in the same pass may have been deleted since. */
  deleted: { id: string; version: number }[];
}

/** Live records changed after `from`, as documents; `feed.cursor` ends where the feed ended. */
async function* documentsSince(store: Store, refs: CollatorRefs, from: string | undefined, feed: Feed): AsyncIterable<SearchDocument> {
  feed.cursor = from;
  for (;;) {
    const page = await store.resources.changedSince(feed.cursor, PAGE);
    if (!page.items.length) return;
    feed.cursor = page.cursor;
    for (const r of page.items) {
      if (r.deleted) feed.deleted.push({ id: r.id, version: r.version });
      else yield toDocument(r as Resource, refs);
    }
  }
}

/** Writes the changes after `from` (deletes included) into `writer`; returns the cursor reached. */
export async function catchUp(store: Store, writer: IndexWriter, from: string | undefined): Promise<string | undefined> {
  let cursor = from;
  const refs = await loadRefs(store);
  for (;;) {
    const page = await store.resources.changedSince(cursor, PAGE);
    if (!page.items.length) return cursor;
    const docs = page.items.filter((r) => !r.deleted).map((r) => toDocument(r as Resource, refs));
    const removes = page.items.filter((r) => r.deleted).map((r) => ({ id: r.id, version: r.version }));
    const outcomes = [...(docs.length ? await writer.upsert(docs) : []), ...(removes.length ? await writer.remove(removes) : [])];
    const bad = outcomes.find((o) => o.status === 'failed' || o.status === 'retry');
    if (bad) throw new Error(`catch-up write of ${bad.id} was not accepted (${bad.status})`);
    cursor = page.cursor;
  }
}

export interface RebuildProgress {
  (loaded: number, total: number): void;
}

export async function rebuildIndex(store: Store, engine: SearchEngine, opts: { sync?: IndexSync; onProgress?: RebuildProgress } = {}): Promise<RebuildReport> {
  const total = await store.resources.count();
  const refs = await loadRefs(store);
  const fed: Feed = { deleted: [] };
  let held = false;
  try {
    return await engine.rebuild(documentsSince(store, refs, undefined, fed), {
      allowEmpty: total === 0,
      onProgress: (n) => opts.onProgress?.(n, total),
      beforeSwap: async (writer) => {
        if (opts.sync) {
          await opts.sync.pause();
          held = true;
        }
        // Deletes the pass met go first: the record may have been loaded live before it was deleted.
        if (fed.deleted.length) {
          const bad = (await writer.remove(fed.deleted)).find((o) => o.status === 'failed' || o.status === 'retry');
          if (bad) throw new Error(`catch-up delete of ${bad.id} was not accepted (${bad.status})`);
        }
        return catchUp(store, writer, fed.cursor);
      },
    });
  } finally {
    if (held) opts.sync!.resume();
  }
}

export interface ReconcileReport {
  storeRecords: number;
  indexDocuments: number;
  /** Live records the index lacked. */
  missing: string[];
  /** Documents the index held for no live record (deleted records, or added behind the app's back). */
  extra: string[];
  /** Documents that differed from what the collator builds from the record now. */
  altered: string[];
  repaired: number;
}

/**
 * Finds every difference between store and index and repairs it (F14). The store is read, then the index; a
 * change the sync worker indexed in between would look like drift, so every candidate is read from the store
 * again and repaired only if it still disagrees: a record created meanwhile is not "extra", one updated meanwhile
 * is not "altered" when the index already holds its newer version, and an index that is merely behind is left to
 * the worker (it follows its cursor).
 */
export async function reconcile(store: Store, engine: SearchEngine, opts: { sync?: IndexSync; dryRun?: boolean } = {}): Promise<ReconcileReport> {
  if (opts.sync) await opts.sync.drain();
  const refs = await loadRefs(store);
  const expected = new Map<string, SearchDocument>();
  const feed: Feed = { deleted: [] };
  for await (const d of documentsSince(store, refs, undefined, feed)) expected.set(d.id, d);
  // A record deleted after it was read in this pass is not expected any more.
  for (const { id } of feed.deleted) expected.delete(id);
  const deletedVersion = new Map(feed.deleted.map((d) => [d.id, d.version]));
  const actual = new Map<string, SearchDocument>();
  for await (const d of engine.scan()) actual.set(d.id, d);

  const missing: string[] = [];
  const extra: string[] = [];
  const altered: string[] = [];
  const repairs: SearchDocument[] = [];
  const removals: string[] = [];
  const tombstones: { id: string; version: number }[] = [];
  const candidates = new Set([...expected.keys(), ...actual.keys()]);
  for (const id of candidates) {
    const want = expected.get(id);
    const have = actual.get(id);
    if (want && have && JSON.stringify(canonical(want)) === JSON.stringify(canonical(have))) continue;
    const fresh = await store.resources.get(id);
    const now = fresh ? toDocument(fresh, refs) : undefined;
    if (now && !have) {
      missing.push(id);
      repairs.push(now);
    } else if (now && have) {
      if (JSON.stringify(canonical(now)) === JSON.stringify(canonical(have))) continue;
      // The index holds an older version: the worker has not got there yet; that is lag, not drift.
      if (have.version < now.version) continue;
      altered.push(id);
      repairs.push(now);
    } else if (!now && have) {
      extra.push(id);
      const v = deletedVersion.get(id) ?? (await deletedAt(store, id));
      // A deleted record gets its versioned tombstone; an id the store never had is removed outright.
      if (v !== undefined && v > have.version) tombstones.push({ id, version: v });
      else removals.push(id);
    }
  }
  if (!opts.dryRun) {
    if (repairs.length || removals.length) await engine.repair(repairs, removals);
    if (tombstones.length) await engine.remove(tombstones);
  }
  return {
    storeRecords: expected.size, indexDocuments: actual.size, missing, extra, altered,
    repaired: opts.dryRun ? 0 : missing.length + extra.length + altered.length,
  };
}

/** The version at which a record was deleted, from its history (undefined if the store never had it). */
async function deletedAt(store: Store, id: string): Promise<number | undefined> {
  const history = await store.resources.history(id);
  const del = history.filter((h) => h.action === 'delete').pop();
  return del?.version;
}

/**
 * An agency's name or place in the tree changed: its entries' documents (and those of its sub-agencies) carry the
 * old name and path while their records did not change, so versions cannot carry the news; they are rewritten
 * from the store. Returns how many. If the index is down this fails, and reconcile repairs the rest later.
 */
export async function reindexAgency(store: Store, engine: SearchEngine, agencyId: string): Promise<number> {
  const refs = await loadRefs(store);
  const ids = [...refs.agencies.values()].filter((a) => {
    for (let id: string | undefined = a.id, hops = 0; id && hops < 64; id = refs.agencies.get(id)?.parentId, hops++) if (id === agencyId) return true;
    return false;
  }).map((a) => a.id);
  let n = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.resources.list({ where: { path: 'provider.agencyId', in: ids }, sort: [{ path: 'code', dir: 'asc' }], offset, limit: PAGE });
    if (page.items.length) await engine.repair(page.items.map((r) => toDocument(r, refs)), []);
    n += page.items.length;
    if (page.items.length < PAGE) return n;
  }
}

/** Key order is not content: compare documents with sorted keys. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
