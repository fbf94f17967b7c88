// The embedded search engine: the in-memory index (memory-index.ts) in front, its documents persisted in their own
// SQLite file under data/ (search.db) so a restart loads instead of rebuilding from the store. The memory index
// keeps what matching, facets and ranking need; a query's page of documents is read from the table.
//
// The layout mirrors Elasticsearch so the indexer code is the same for both: each physical index is a table named
// like an Elasticsearch index (mapping version + build stamp), and `meta.alias` says which one serves. A rebuild
// fills a new table and a new in-memory index while the old pair keeps answering, then moves the alias in one
// transaction and drops the old table. Tombstones (id, version) are kept so late writes never resurrect.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { RESOURCE_INDEX, parsePhysicalName, physicalIndexName } from '../../../../mappings/resources.ts';
import { ConflictError, UnavailableError } from '../../../domain/errors.ts';
import { type EngineResult, INDEX_LOADING, INDEX_REBUILDING, SEARCH_DOWN, type SearchDocument, type SearchQuery } from '../../../domain/search.ts';
import type {
  IndexStatus, IndexWriter, ItemOutcome, RebuildOptions, RebuildReport, SearchEngine,
} from '../../../ports/search.ts';
import { MemoryIndex } from './memory-index.ts';

export interface EmbeddedSearchOptions {
  /** A file path, or ':memory:' for tests. */
  path: string;
  now?: () => Date;
  /** The memory index is rebuilt from the table once dead slots exceed this and the live documents (tests lower it). */
  compactAfterDeadSlots?: number;
}

/**
 * One physical index: its table, its in-memory index and the versions it has seen, deletes included, so a late
 * write of an older version never brings a deleted document back.
 */
class Physical {
  memory = new MemoryIndex();
  /** id → version of the newest write seen, live or deleted. */
  readonly versions = new Map<string, number>();
  private byId?: StatementSync;
  constructor(readonly name: string, readonly table: string) {}

  document(db: DatabaseSync, id: string): SearchDocument {
    this.byId ??= db.prepare(`SELECT data FROM ${this.table} WHERE id = ?`);
    const row = this.byId.get(id) as { data: string | null } | undefined;
    // The table and the memory index change together (one write, applied after its commit): a miss is a bug.
    if (!row?.data) throw new Error(`index table ${this.table} has no document ${id}`);
    return JSON.parse(row.data) as SearchDocument;
  }
}

function tableFor(name: string): string {
  return `idx_${name.replace(/[^a-z0-9]/g, '_')}`;
}

const LOAD_CHUNK = 2000;

export class EmbeddedSearchEngine implements SearchEngine {
  readonly kind = 'embedded' as const;
  private readonly db: DatabaseSync;
  private active?: Physical;
  private loading = false;
  private rebuilding = false;
  private closed = false;
  private readonly now: () => Date;
  private readonly compactAfter: number;

  constructor(opts: EmbeddedSearchOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new DatabaseSync(opts.path);
    // One process owns the embedded index: its in-memory half cannot see another process's writes. The exclusive
    // lock makes a second opener (say `npm run reindex` while the server runs) fail instead of diverging.
    this.db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS indices (name TEXT PRIMARY KEY, mapping_version INTEGER NOT NULL, state TEXT NOT NULL,
        cursor TEXT, created_at TEXT NOT NULL) STRICT;`);
    this.now = opts.now ?? (() => new Date());
    this.compactAfter = opts.compactAfterDeadSlots ?? 10_000;
  }

  async open(): Promise<IndexStatus> {
    this.ensureOpen();
    // A rebuild that died (process killed) leaves a 'building' index: it never served, so it goes (F12).
    if (!this.rebuilding) {
      for (const row of this.db.prepare("SELECT name FROM indices WHERE state <> 'live'").all() as { name: string }[]) this.drop(row.name);
    }
    const alias = this.aliasTarget();
    if (alias && !this.active) {
      this.loading = true;
      try {
        this.active = await this.load(alias);
      } finally {
        this.loading = false;
      }
    }
    return this.status();
  }

  private aliasTarget(): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'alias'").get() as { value: string } | undefined)?.value;
  }

  /** Loads a persisted index in chunks, yielding between them so the server keeps answering (503 "loading"). */
  private async load(name: string): Promise<Physical> {
    const p = new Physical(name, tableFor(name));
    let n = 0;
    for (const row of this.db.prepare(`SELECT id, version, deleted, data FROM ${p.table}`).iterate() as Iterable<{ id: string; version: number; deleted: number; data: string | null }>) {
      p.versions.set(row.id, row.version);
      if (!row.deleted) p.memory.put(JSON.parse(row.data!) as SearchDocument);
      if (++n % LOAD_CHUNK === 0) await new Promise((r) => setImmediate(r));
    }
    p.memory.seal();
    return p;
  }

  async status(): Promise<IndexStatus> {
    if (this.closed) return { state: 'unavailable', rebuilding: false };
    if (this.loading) return { state: 'loading', rebuilding: this.rebuilding };
    const a = this.active;
    if (!a) return { state: 'missing', rebuilding: this.rebuilding };
    return {
      state: 'ready', indexName: a.name, mappingVersion: parsePhysicalName(a.name)?.version, docCount: a.memory.size, rebuilding: this.rebuilding,
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('embedded search engine is closed', SEARCH_DOWN);
  }

  private serving(): Physical {
    this.ensureOpen();
    if (this.loading) throw new UnavailableError('index loading', INDEX_LOADING);
    if (!this.active) throw new UnavailableError('index missing', INDEX_REBUILDING);
    return this.active;
  }

  async query(q: SearchQuery): Promise<EngineResult> {
    const p = this.serving();
    const r = p.memory.query(q);
    return { total: r.total, facets: r.facets, hits: r.hits.map((h) => ({ doc: p.document(this.db, h.id), score: h.score })) };
  }

  async upsert(docs: SearchDocument[]): Promise<ItemOutcome[]> {
    return this.write(this.serving(), docs, []);
  }

  async remove(refs: { id: string; version: number }[]): Promise<ItemOutcome[]> {
    return this.write(this.serving(), [], refs);
  }

  /** Versioned writes into one physical index, in one transaction: stale ones are ignored and reported. */
  private write(p: Physical, docs: SearchDocument[], removes: { id: string; version: number }[]): ItemOutcome[] {
    this.ensureOpen();
    const out: ItemOutcome[] = [];
    const put = this.db.prepare(`INSERT INTO ${p.table} (id, version, deleted, data) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, data = excluded.data`);
    const applied: (() => void)[] = [];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const d of docs) {
        if (!d || typeof d.id !== 'string' || !d.id || !Number.isInteger(d.version) || d.version < 1) {
          out.push({ id: String(d?.id), status: 'failed', reason: 'document without a valid id and version' });
          continue;
        }
        const seen = p.versions.get(d.id);
        if (seen !== undefined && seen >= d.version) {
          out.push({ id: d.id, status: 'stale' });
          continue;
        }
        put.run(d.id, d.version, 0, JSON.stringify(d));
        p.versions.set(d.id, d.version);
        applied.push(() => p.memory.put(d));
        out.push({ id: d.id, status: 'ok' });
      }
      for (const r of removes) {
        const seen = p.versions.get(r.id);
        if (seen !== undefined && seen >= r.version) {
          out.push({ id: r.id, status: 'stale' });
          continue;
        }
        put.run(r.id, r.version, 1, null);
        p.versions.set(r.id, r.version);
        applied.push(() => p.memory.delete(r.id));
        out.push({ id: r.id, status: 'ok' });
      }
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      // The versions map was advanced optimistically; reload it from what is committed.
      for (const o of out) {
        const row = this.db.prepare(`SELECT version FROM ${p.table} WHERE id = ?`).get(o.id) as { version: number } | undefined;
        if (row) p.versions.set(o.id, row.version);
        else p.versions.delete(o.id);
      }
      throw e;
    }
    for (const a of applied) a();
    if (p.memory.deadSlots > this.compactAfter && p.memory.deadSlots > p.memory.size) this.compact(p);
    return out;
  }

  /** A fresh memory index of the live documents, when dead slots make up a large share. */
  private compact(p: Physical): void {
    const next = new MemoryIndex();
    for (const row of this.db.prepare(`SELECT data FROM ${p.table} WHERE deleted = 0`).iterate() as Iterable<{ data: string }>) {
      next.put(JSON.parse(row.data) as SearchDocument);
    }
    next.seal();
    p.memory = next;
  }

  async rebuild(source: AsyncIterable<SearchDocument>, opts: RebuildOptions = {}): Promise<RebuildReport> {
    this.ensureOpen();
    if (this.rebuilding) throw new ConflictError('索引正在重建', 'a rebuild is already running');
    this.rebuilding = true;
    const started = Date.now();
    // Two rebuilds within one millisecond would share a name; the stamp moves on until it is free.
    let at = this.now();
    const taken = this.db.prepare('SELECT 1 FROM indices WHERE name = ?');
    while (taken.get(physicalIndexName(RESOURCE_INDEX.version, at))) at = new Date(at.getTime() + 1);
    const name = physicalIndexName(RESOURCE_INDEX.version, at);
    const p = new Physical(name, tableFor(name));
    try {
      this.db.prepare("INSERT INTO indices (name, mapping_version, state, cursor, created_at) VALUES (?, ?, 'building', ?, ?)")
        .run(name, RESOURCE_INDEX.version, opts.cursor ?? null, this.now().toISOString());
      this.db.exec(`CREATE TABLE ${p.table} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, deleted INTEGER NOT NULL, data TEXT) STRICT`);
      // Distinct documents: the change feed yields a record changed during the pass twice.
      const loadedIds = new Set<string>();
      let batch: SearchDocument[] = [];
      const flush = async () => {
        const outcomes = this.write(p, batch, []);
        const failed = outcomes.find((o) => o.status === 'failed');
        if (failed) throw new Error(`document ${failed.id} was refused: ${(failed as { reason: string }).reason}`);
        for (const o of outcomes) if (o.status === 'ok') loadedIds.add(o.id);
        batch = [];
        opts.onProgress?.(loadedIds.size);
        await new Promise((r) => setImmediate(r));
      };
      for await (const doc of source) {
        batch.push(doc);
        if (batch.length === 1000) await flush();
      }
      if (batch.length) await flush();
      const loaded = loadedIds.size;
      p.memory.seal();
      // The count check: what the table holds is what was loaded, and an empty load never replaces an index.
      const stored = (this.db.prepare(`SELECT count(*) AS n FROM ${p.table} WHERE deleted = 0`).get() as { n: number }).n;
      if (stored !== loaded || stored !== p.memory.size) throw new Error(`count check failed: loaded ${loaded}, stored ${stored}`);
      if (loaded === 0 && !opts.allowEmpty) throw new Error('the rebuild produced no documents; the alias was not moved');
      let cursor = opts.cursor;
      if (opts.beforeSwap) {
        const writer: IndexWriter = {
          upsert: async (docs) => this.write(p, docs, []),
          remove: async (refs) => this.write(p, [], refs),
        };
        cursor = (await opts.beforeSwap(writer)) ?? cursor;
      }
      const previous = this.aliasTarget();
      this.ensureOpen();
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.prepare("UPDATE indices SET state = 'live', cursor = ? WHERE name = ?").run(cursor ?? null, name);
        this.db.prepare("INSERT INTO meta (key, value) VALUES ('alias', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(name);
        this.db.exec('COMMIT');
      } catch (e) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
      this.active = p;
      if (previous && previous !== name) this.drop(previous);
      return { indexName: name, mappingVersion: RESOURCE_INDEX.version, loaded, ...(previous ? { previous } : {}), ms: Date.now() - started };
    } catch (e) {
      if (!this.closed && this.aliasTarget() !== name) this.drop(name);
      throw e;
    } finally {
      this.rebuilding = false;
    }
  }

  private drop(name: string): void {
    this.db.exec(`DROP TABLE IF EXISTS ${tableFor(name)}`);
    this.db.prepare('DELETE FROM indices WHERE name = ?').run(name);
  }

  /** Slots of the serving memory index, live and dead (tests watch compaction through it). */
  memoryStats(): { live: number; dead: number } {
    const m = this.serving().memory;
    return { live: m.size, dead: m.deadSlots };
  }

  /** Physical indices present (for tests and the health page): a finished rebuild leaves exactly one. */
  indices(): { name: string; state: string }[] {
    return this.db.prepare('SELECT name, state FROM indices ORDER BY name').all() as { name: string; state: string }[];
  }

  /** Every live document, read from the table in pages by id, so writes between pages are never blocked. */
  async *scan(): AsyncIterable<SearchDocument> {
    const p = this.serving();
    let after = '';
    for (;;) {
      const rows = this.db.prepare(`SELECT id, data FROM ${p.table} WHERE deleted = 0 AND id > ? ORDER BY id LIMIT 500`).all(after) as { id: string; data: string }[];
      for (const row of rows) yield JSON.parse(row.data) as SearchDocument;
      if (rows.length < 500) return;
      after = rows[rows.length - 1].id;
    }
  }

  async getCursor(): Promise<{ index: string; cursor?: string }> {
    const a = this.serving();
    const cursor = (this.db.prepare('SELECT cursor FROM indices WHERE name = ?').get(a.name) as { cursor: string | null } | undefined)?.cursor ?? undefined;
    return { index: a.name, ...(cursor !== undefined ? { cursor } : {}) };
  }

  async setCursor(index: string, cursor: string): Promise<void> {
    this.ensureOpen();
    // An index dropped by a swap since the cursor was read: the row is gone and nothing is written.
    this.db.prepare('UPDATE indices SET cursor = ? WHERE name = ?').run(cursor, index);
  }

  async repair(docs: SearchDocument[], removeIds: string[]): Promise<void> {
    const p = this.serving();
    for (const d of docs) p.versions.delete(d.id);
    // A tombstone above anything seen: the store holds no live record with this id, so nothing newer can come.
    const removes = removeIds.map((id) => ({ id, version: (p.versions.get(id) ?? 0) + 1 }));
    this.write(p, docs, removes);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

export function openEmbeddedSearch(opts: EmbeddedSearchOptions): EmbeddedSearchEngine {
  return new EmbeddedSearchEngine(opts);
}
