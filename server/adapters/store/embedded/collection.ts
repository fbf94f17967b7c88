// One versioned document collection in SQLite. Documents are JSON; the allowlisted paths of the port get
// expression indexes (array paths a side table), so lookups by code or agency stay index lookups at 100k rows.
// Every write is one transaction: the document, its history entry, its change sequence and its audit record commit
// together. Every statement runs through `sqliteGuard`, so a full disk or a read-only file is a 503, never a 500.

import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { diff } from '../../../domain/diff.ts';
import { ConflictError, NotFoundError, UniqueViolation } from '../../../domain/errors.ts';
import {
  ARRAY_PATHS, type ActorRef, type CollectionName, type Cond, type Entity, type HistoryEntry, INDEXED_PATHS, type ListQuery,
  type Page, type Repository, type Scalar, UNIQUE_KEYS, type WriteOptions,
} from '../../../ports/store.ts';
import { type SqliteAuditChain, mapSqliteError, rollback, sqliteGuard } from './sqlite.ts';

export const MAX_PAGE = 1000;

function ident(path: string): string {
  return path.replace(/\./g, '_');
}

function jsonPath(path: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(path)) throw new Error(`bad path ${path}`);
  return `'$.${path}'`;
}

function bind(v: Scalar): SQLInputValue {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function valueAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

export function collectionSchema(name: CollectionName): string {
  const t = `c_${name}`;
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, data TEXT NOT NULL) STRICT`,
    `CREATE INDEX IF NOT EXISTS ix_${name}__seq ON ${t}(seq)`,
    `CREATE TABLE IF NOT EXISTS h_${name} (entity_id TEXT NOT NULL, version INTEGER NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, changes TEXT NOT NULL, PRIMARY KEY (entity_id, version)) STRICT`,
    `CREATE TABLE IF NOT EXISTS m_${name} (id TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL) STRICT`,
    `CREATE INDEX IF NOT EXISTS ix_m_${name} ON m_${name}(path, value)`,
    `CREATE INDEX IF NOT EXISTS ix_m_${name}_id ON m_${name}(id)`,
  ];
  // A path that leads a unique index is already indexed by it; a second index would only slow every write.
  const leadsUnique = new Set((UNIQUE_KEYS[name] ?? []).map((keys) => keys[0]));
  for (const p of INDEXED_PATHS[name]) {
    if (!ARRAY_PATHS.has(p) && !leadsUnique.has(p)) lines.push(`CREATE INDEX IF NOT EXISTS ix_${name}_${ident(p)} ON ${t}(json_extract(data, ${jsonPath(p)}))`);
  }
  for (const keys of UNIQUE_KEYS[name] ?? []) {
    const cols = keys.map((k) => `json_extract(data, ${jsonPath(k)})`).join(', ');
    lines.push(`CREATE UNIQUE INDEX IF NOT EXISTS ux_${name}_${keys.map(ident).join('__')} ON ${t}(${cols}) WHERE deleted = 0`);
  }
  return lines.join(';\n');
}

export class SqliteCollection<T extends Entity> implements Repository<T> {
  private readonly t: string;
  private readonly allowed: ReadonlySet<string>;
  private readonly arrayPaths: string[];
  private readonly stmts: Record<string, StatementSync>;
  private readonly cache = new Map<string, StatementSync>();

  constructor(private readonly db: DatabaseSync, private readonly name: CollectionName, private readonly now: () => string, private readonly chain: SqliteAuditChain) {
    this.t = `c_${name}`;
    this.allowed = new Set(INDEXED_PATHS[name]);
    this.arrayPaths = INDEXED_PATHS[name].filter((p) => ARRAY_PATHS.has(p));
    const t = this.t;
    this.stmts = {
      get: db.prepare(`SELECT data FROM ${t} WHERE id = ? AND deleted = 0`),
      getAny: db.prepare(`SELECT version, deleted, data FROM ${t} WHERE id = ?`),
      insert: db.prepare(`INSERT INTO ${t} (id, version, deleted, seq, data) VALUES (?, ?, 0, ?, ?)`),
      update: db.prepare(`UPDATE ${t} SET version = ?, deleted = ?, seq = ?, data = ? WHERE id = ? AND version = ?`),
      nextSeq: db.prepare(`SELECT coalesce(max(seq), 0) + 1 AS s FROM ${t}`),
      hist: db.prepare(`INSERT INTO h_${name} (entity_id, version, action, actor, at, changes) VALUES (?, ?, ?, ?, ?, ?)`),
      histList: db.prepare(`SELECT * FROM h_${name} WHERE entity_id = ? ORDER BY version`),
      multiDel: db.prepare(`DELETE FROM m_${name} WHERE id = ?`),
      multiIns: db.prepare(`INSERT INTO m_${name} (id, path, value) VALUES (?, ?, ?)`),
      changed: db.prepare(`SELECT seq, deleted, data FROM ${t} WHERE seq > ? ORDER BY seq LIMIT ?`),
    };
  }

  async get(id: string): Promise<T | undefined> {
    return sqliteGuard(() => {
      const row = this.stmts.get.get(id) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as T) : undefined;
    });
  }

  async getBy(path: string, value: Scalar): Promise<T | undefined> {
    const params: SQLInputValue[] = [];
    const where = this.compile({ path, eq: value }, params);
    return sqliteGuard(() => {
      const row = this.prepared(`SELECT data FROM ${this.t} WHERE deleted = 0 AND ${where} LIMIT 1`).get(...params) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as T) : undefined;
    });
  }

  async list(q: ListQuery): Promise<Page<T>> {
    const params: SQLInputValue[] = [];
    const where = q.where ? ` AND ${this.compile(q.where, params)}` : '';
    const limit = Math.min(Math.max(q.limit ?? 50, 0), MAX_PAGE);
    const offset = Math.max(q.offset ?? 0, 0);
    const order = (q.sort ?? []).map((s) => `json_extract(data, ${jsonPath(this.check(s.path))}) ${s.dir === 'desc' ? 'DESC' : 'ASC'}`);
    order.push('id ASC');
    return sqliteGuard(() => {
      const rows = this.prepared(`SELECT data FROM ${this.t} WHERE deleted = 0${where} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`)
        .all(...params, limit, offset) as { data: string }[];
      const total = (this.prepared(`SELECT count(*) AS n FROM ${this.t} WHERE deleted = 0${where}`).get(...params) as { n: number }).n;
      return { items: rows.map((r) => JSON.parse(r.data) as T), total, offset, limit };
    });
  }

  async count(where?: Cond): Promise<number> {
    const params: SQLInputValue[] = [];
    const w = where ? ` AND ${this.compile(where, params)}` : '';
    return sqliteGuard(() => (this.prepared(`SELECT count(*) AS n FROM ${this.t} WHERE deleted = 0${w}`).get(...params) as { n: number }).n);
  }

  async create(doc: T, actor: ActorRef, opts?: WriteOptions): Promise<T> {
    return (await this.createMany([doc], actor, opts))[0];
  }

  async createMany(docs: T[], actor: ActorRef, opts?: WriteOptions): Promise<T[]> {
    const at = this.now();
    return this.tx(opts, () => {
      let seq = (this.stmts.nextSeq.get() as { s: number }).s;
      return docs.map((d) => {
        // An id that belonged to a deleted document (a calendar day, a derived id) starts again after its tombstone.
        const prev = this.stmts.getAny.get(d.id) as { version: number; deleted: number } | undefined;
        if (prev && !prev.deleted) throw new UniqueViolation([`${this.name}.id`]);
        const stored = { ...d, version: prev ? prev.version + 1 : 1 } as T;
        if (prev) this.stmts.update.run(stored.version, 0, seq++, JSON.stringify(stored), stored.id, prev.version);
        else this.stmts.insert.run(stored.id, stored.version, seq++, JSON.stringify(stored));
        this.writeMulti(stored);
        this.stmts.hist.run(stored.id, stored.version, 'create', actor.username, at, '[]');
        return stored;
      });
    });
  }

  async update(id: string, next: T, expectedVersion: number, actor: ActorRef, opts?: WriteOptions): Promise<T> {
    return this.tx(opts, () => {
      const cur = this.current(id);
      if (cur.version !== expectedVersion) throw this.conflict(cur.version);
      const stored = { ...next, id, version: cur.version + 1 } as T;
      const seq = (this.stmts.nextSeq.get() as { s: number }).s;
      this.stmts.update.run(stored.version, 0, seq, JSON.stringify(stored), id, expectedVersion);
      this.writeMulti(stored);
      this.stmts.hist.run(id, stored.version, 'update', actor.username, this.now(), JSON.stringify(diff(cur.doc, stored)));
      return stored;
    });
  }

  async remove(id: string, expectedVersion: number, actor: ActorRef, opts?: WriteOptions): Promise<void> {
    this.tx(opts, () => {
      const cur = this.current(id);
      if (cur.version !== expectedVersion) throw this.conflict(cur.version);
      const seq = (this.stmts.nextSeq.get() as { s: number }).s;
      const tomb = { ...cur.doc, version: cur.version + 1 };
      this.stmts.update.run(tomb.version, 1, seq, JSON.stringify(tomb), id, expectedVersion);
      this.stmts.multiDel.run(id);
      this.stmts.hist.run(id, tomb.version, 'delete', actor.username, this.now(), '[]');
    });
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const rows = sqliteGuard(() => this.stmts.histList.all(id) as { entity_id: string; version: number; action: HistoryEntry['action']; actor: string; at: string; changes: string }[]);
    return rows.map((r) => ({ entityId: r.entity_id, version: r.version, action: r.action, actor: r.actor, at: r.at, changes: JSON.parse(r.changes) }));
  }

  async changedSince(cursor: string | undefined, limit: number) {
    const rows = sqliteGuard(() => this.stmts.changed.all(Number(cursor ?? 0), Math.min(limit, MAX_PAGE)) as { seq: number; deleted: number; data: string }[]);
    const items = rows.map((r) => ({ ...(JSON.parse(r.data) as T), ...(r.deleted ? { deleted: true } : {}) }));
    return { items, cursor: rows.length ? String(rows[rows.length - 1].seq) : cursor };
  }

  /**
   * Queries differ only in shape (values are always bound), so a small cache of prepared statements keyed by SQL
   * text saves a compile on every list, count and lookup. Bounded, because shapes vary with `in` list lengths.
   */
  private prepared(sql: string): StatementSync {
    let st = this.cache.get(sql);
    if (!st) {
      if (this.cache.size >= 200) this.cache.clear();
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  private current(id: string): { version: number; doc: T } {
    const row = this.stmts.getAny.get(id) as { version: number; deleted: number; data: string } | undefined;
    if (!row || row.deleted) throw new NotFoundError(this.name);
    return { version: row.version, doc: JSON.parse(row.data) as T };
  }

  private conflict(current: number): ConflictError {
    return new ConflictError('记录已被他人修改,请刷新后重试', 'the record was changed by someone else; reload and retry', current);
  }

  private writeMulti(doc: T): void {
    if (!this.arrayPaths.length) return;
    this.stmts.multiDel.run(doc.id);
    for (const p of this.arrayPaths) {
      const v = valueAt(doc, p);
      if (Array.isArray(v)) for (const x of new Set(v)) this.stmts.multiIns.run(doc.id, p, String(x));
    }
  }

  private check(path: string): string {
    if (!this.allowed.has(path)) throw new Error(`path ${path} is not indexed for ${this.name}`);
    return path;
  }

  private compile(c: Cond, params: SQLInputValue[]): string {
    if ('or' in c) return c.or.length ? `(${c.or.map((x) => this.compile(x, params)).join(' OR ')})` : '0';
    if ('and' in c) return c.and.length ? `(${c.and.map((x) => this.compile(x, params)).join(' AND ')})` : '1';
    const path = this.check(c.path);
    if (ARRAY_PATHS.has(path)) {
      const values = 'eq' in c ? [c.eq] : 'in' in c ? c.in : undefined;
      if (!values) throw new Error('prefix is not supported on array paths');
      params.push(path, ...values.map((v) => String(v)));
      return `id IN (SELECT id FROM m_${this.name} WHERE path = ? AND value IN (${values.map(() => '?').join(', ')}))`;
    }
    const col = `json_extract(data, ${jsonPath(path)})`;
    if ('eq' in c) {
      if (c.eq === null) return `${col} IS NULL`;
      params.push(bind(c.eq));
      return `${col} = ?`;
    }
    if ('in' in c) {
      if (!c.in.length) return '0';
      params.push(...c.in.map(bind));
      return `${col} IN (${c.in.map(() => '?').join(', ')})`;
    }
    // Prefix as a range keeps the expression index usable (LIKE would not).
    params.push(c.prefix, `${c.prefix}\uffff`);
    return `(${col} >= ? AND ${col} < ?)`;
  }

  /** One transaction: `fn`'s writes and, when the write carries one, its audit record (appended last, in order). */
  private tx<R>(opts: WriteOptions | undefined, fn: () => R): R {
    return sqliteGuard(() => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const r = fn();
        const appended = opts?.audit ? this.chain.appendInTransaction(opts.audit) : undefined;
        this.db.exec('COMMIT');
        if (opts && appended) opts.appended = appended;
        return r;
      } catch (e) {
        rollback(this.db);
        throw mapSqliteError(e, this.name);
      }
    });
  }
}
