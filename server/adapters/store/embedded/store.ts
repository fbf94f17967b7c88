// The embedded store: one SQLite file (or :memory: for tests) through Node's built-in node:sqlite.
// WAL with synchronous=NORMAL: a committed transaction survives a killed process; only an OS crash may lose the
// last few commits, which is the usual trade for a single-machine default (production runs MongoDB).

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ChainHead } from '../../../domain/audit.ts';
import type { CalendarRecord } from '../../../domain/calendar.ts';
import type { Agency, ApiToken, AuditEntry, AuditRecord, ClassificationNode, DeadLetter, OverlapFinding, SearchMiss, Throttle, User } from '../../../domain/entities.ts';
import { UnavailableError } from '../../../domain/errors.ts';
import type { Resource } from '../../../domain/resource.ts';
import type { Batch, Grant, Notification, Setting, SharingRequest } from '../../../domain/workflow/entities.ts';
import {
  type AuditLog, type CollectionName, INDEXED_PATHS, type IdempotencyRecord, type IdempotencyStore, type ResourceRepository, type SessionRecord,
  type SessionStorePort, type Store,
} from '../../../ports/store.ts';
import { SqliteCollection, collectionSchema } from './collection.ts';
import { SqliteAuditChain, rollback, sqliteGuard } from './sqlite.ts';

class SqliteResources extends SqliteCollection<Resource> implements ResourceRepository {
  private readonly bump: StatementSync;

  constructor(database: DatabaseSync, now: () => string, chain: SqliteAuditChain) {
    super(database, 'resources', now, chain);
    this.bump = database.prepare('INSERT INTO sequences (node, last) VALUES (?, 1) ON CONFLICT(node) DO UPDATE SET last = last + 1 RETURNING last');
  }

  async nextSequence(nodeCode: string): Promise<number> {
    return sqliteGuard(() => (this.bump.get(nodeCode) as { last: number }).last);
  }
}

class SqliteSessions implements SessionStorePort {
  constructor(private readonly db: DatabaseSync) {}
  async get(sid: string): Promise<SessionRecord | undefined> {
    const r = sqliteGuard(() => this.db.prepare('SELECT data, expires_at FROM sessions WHERE sid = ?').get(sid) as { data: string; expires_at: number } | undefined);
    return r && r.expires_at > Date.now() ? { data: r.data, expiresAt: r.expires_at } : undefined;
  }
  async set(sid: string, rec: SessionRecord): Promise<void> {
    sqliteGuard(() => this.db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at')
      .run(sid, rec.data, rec.expiresAt));
  }
  async destroy(sid: string): Promise<void> {
    sqliteGuard(() => this.db.prepare('DELETE FROM sessions WHERE sid = ?').run(sid));
  }
  async prune(now: number): Promise<number> {
    return sqliteGuard(() => Number(this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes));
  }
  async count(now: number): Promise<number> {
    return sqliteGuard(() => (this.db.prepare('SELECT count(*) AS n FROM sessions WHERE expires_at > ?').get(now) as { n: number }).n);
  }
}

class SqliteIdempotency implements IdempotencyStore {
  private readonly stmts: Record<'claim' | 'get' | 'finish' | 'forget' | 'prune', StatementSync>;

  constructor(db: DatabaseSync) {
    this.stmts = {
      // Inserts, or takes over a record older than the keeping window; a fresh record is left alone (0 changes).
      claim: db.prepare(`INSERT INTO idempotency (id, fingerprint, state, status, body, created_at) VALUES (?, ?, 'pending', NULL, NULL, ?)
        ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'pending', status = NULL, body = NULL, created_at = excluded.created_at
        WHERE idempotency.created_at < ?`),
      get: db.prepare('SELECT id, fingerprint, state, status, body, created_at FROM idempotency WHERE id = ?'),
      finish: db.prepare("UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE id = ?"),
      forget: db.prepare('DELETE FROM idempotency WHERE id = ?'),
      prune: db.prepare('DELETE FROM idempotency WHERE created_at < ?'),
    };
  }

  async claim(rec: IdempotencyRecord, keptSince: string): Promise<IdempotencyRecord | undefined> {
    return sqliteGuard(() => {
      if (Number(this.stmts.claim.run(rec.id, rec.fingerprint, rec.createdAt, keptSince).changes) === 1) return undefined;
      const r = this.stmts.get.get(rec.id) as { id: string; fingerprint: string; state: 'pending' | 'done'; status: number | null; body: string | null; created_at: string };
      return { id: r.id, fingerprint: r.fingerprint, state: r.state, createdAt: r.created_at, ...(r.status === null ? {} : { status: r.status }), ...(r.body === null ? {} : { body: r.body }) };
    });
  }

  async finish(id: string, status: number, body: string | undefined): Promise<void> {
    sqliteGuard(() => this.stmts.finish.run(status, body ?? null, id));
  }

  async forget(id: string): Promise<void> {
    sqliteGuard(() => this.stmts.forget.run(id));
  }

  async prune(before: string): Promise<number> {
    return sqliteGuard(() => Number(this.stmts.prune.run(before).changes));
  }
}

class SqliteAudit implements AuditLog {
  constructor(private readonly db: DatabaseSync, private readonly chain: SqliteAuditChain) {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    return sqliteGuard(() => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const rec = this.chain.appendInTransaction(entry);
        this.db.exec('COMMIT');
        return rec;
      } catch (e) {
        rollback(this.db);
        throw e;
      }
    });
  }

  async list(q: { offset?: number; limit?: number; action?: string }) {
    const limit = Math.min(q.limit ?? 50, 500);
    const offset = q.offset ?? 0;
    const where = q.action ? 'WHERE action = ?' : '';
    const params = q.action ? [q.action] : [];
    return sqliteGuard(() => {
      const rows = this.db.prepare(`SELECT * FROM audit ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as unknown as AuditRow[];
      const total = (this.db.prepare(`SELECT count(*) AS n FROM audit ${where}`).get(...params) as { n: number }).n;
      return { items: rows.map(toAudit), total, offset, limit };
    });
  }

  async *records(from = 1): AsyncIterable<AuditRecord> {
    // Pages of 1,000 rather than one long-running statement, so verification never holds a read open across awaits.
    let after = Math.max(0, Math.trunc(from) - 1);
    const page = this.db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000');
    for (;;) {
      const rows = sqliteGuard(() => page.all(after) as unknown as AuditRow[]);
      for (const row of rows) yield toAudit(row);
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].seq;
    }
  }

  async head(): Promise<ChainHead | undefined> {
    return sqliteGuard(() => this.chain.head());
  }
}

interface AuditRow { seq: number; at: string; data: string; prev_hash: string; hash: string }
function toAudit(r: AuditRow): AuditRecord {
  return { ...(JSON.parse(r.data) as AuditEntry), seq: r.seq, at: r.at, prevHash: r.prev_hash, hash: r.hash };
}

export interface EmbeddedStoreOptions {
  /** A file path, or ':memory:' for tests. */
  path: string;
  /** The key of the audit chain's HMAC, kept outside the store (config.ts loads it). */
  auditKey: Buffer;
  now?: () => string;
}

export function openEmbeddedStore(opts: EmbeddedStoreOptions): Store {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = sqliteGuard(() => new DatabaseSync(opts.path));
  const now = opts.now ?? (() => new Date().toISOString());
  sqliteGuard(() => {
    // analysis_limit keeps ANALYZE (run by `maintain`) to milliseconds on large tables.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA analysis_limit = 1000');
    db.exec([
      ...(Object.keys(INDEXED_PATHS) as CollectionName[]).map(collectionSchema),
      'CREATE TABLE IF NOT EXISTS sequences (node TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT',
      'CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT',
      'CREATE INDEX IF NOT EXISTS ix_sessions_exp ON sessions(expires_at)',
      'CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT',
      'CREATE INDEX IF NOT EXISTS ix_audit_action ON audit(action, seq)',
      'CREATE TABLE IF NOT EXISTS idempotency (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL) STRICT',
      'CREATE INDEX IF NOT EXISTS ix_idempotency_created ON idempotency(created_at)',
      // One row rewritten by every readiness probe: a write that must reach the WAL file, so a full disk or a
      // read-only file shows in /health/ready and not only in the next user's request.
      'CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL) STRICT',
      "INSERT OR IGNORE INTO health (id, at) VALUES (1, '')",
    ].join(';\n'));
  });
  const chain = new SqliteAuditChain(db, opts.auditKey, now);
  const collection = <T extends { id: string; version: number }>(name: CollectionName) => new SqliteCollection<T>(db, name, now, chain);
  const probe = db.prepare('UPDATE health SET at = ? WHERE id = 1');
  let closed = false;
  return {
    kind: 'embedded',
    resources: new SqliteResources(db, now, chain),
    agencies: collection<Agency>('agencies'),
    classification: collection<ClassificationNode>('classification'),
    users: collection<User>('users'),
    tokens: collection<ApiToken>('tokens'),
    overlaps: collection<OverlapFinding>('overlaps'),
    deadLetters: collection<DeadLetter>('deadLetters'),
    searchMisses: collection<SearchMiss>('searchMisses'),
    throttles: collection<Throttle>('throttles'),
    requests: collection<SharingRequest>('requests'),
    grants: collection<Grant>('grants'),
    calendar: collection<CalendarRecord>('calendar'),
    idempotency: new SqliteIdempotency(db),
    batches: collection<Batch>('batches'),
    notifications: collection<Notification>('notifications'),
    settings: collection<Setting>('settings'),
    sessions: new SqliteSessions(db),
    audit: new SqliteAudit(db, chain),
    async maintain() {
      // SQLite's advice for long-lived connections: analyse the tables that changed enough to need it.
      if (!closed) sqliteGuard(() => db.exec('PRAGMA optimize = 0x10002'));
    },
    async ping() {
      if (closed) throw new UnavailableError('embedded store is not open');
      sqliteGuard(() => probe.run(now()));
    },
    async close() {
      if (!closed) {
        closed = true;
        db.close();
      }
    },
  };
}
