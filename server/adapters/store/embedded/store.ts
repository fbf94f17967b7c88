// The embedded store: one SQLite file (or :memory: for tests) through Node's built-in node:sqlite.
// WAL with synchronous=NORMAL: a committed transaction survives a killed process; only an OS crash may lose the
// last few commits, which is the usual trade for a single-machine default (production runs MongoDB).

import { mkdirSync } from 'node:fs';
import type { CalendarRecord } from '../../../domain/calendar.ts';
import type { Batch, Grant, Notification, Setting, SharingRequest } from '../../../domain/workflow/entities.ts';
import type { IdempotencyRecord } from '../../../ports/store.ts';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { GENESIS_HASH, auditHash } from '../../../domain/audit.ts';
import type { Agency, ApiToken, AuditEntry, AuditRecord, ClassificationNode, DeadLetter, OverlapFinding, SearchMiss, Throttle, User } from '../../../domain/entities.ts';
import { UnavailableError } from '../../../domain/errors.ts';
import type { Resource } from '../../../domain/resource.ts';
import {
  type AuditLog, type CollectionName, INDEXED_PATHS, type ResourceRepository, type SessionRecord, type SessionStorePort, type Store,
} from '../../../ports/store.ts';
import { SqliteCollection, collectionSchema } from './collection.ts';

class SqliteResources extends SqliteCollection<Resource> implements ResourceRepository {
  private readonly bump: StatementSync;

  constructor(database: DatabaseSync, now: () => string) {
    super(database, 'resources', now);
    this.bump = database.prepare('INSERT INTO sequences (node, last) VALUES (?, 1) ON CONFLICT(node) DO UPDATE SET last = last + 1 RETURNING last');
  }

  async nextSequence(nodeCode: string): Promise<number> {
    return (this.bump.get(nodeCode) as { last: number }).last;
  }
}

class SqliteSessions implements SessionStorePort {
  constructor(private readonly db: DatabaseSync) {}
  async get(sid: string): Promise<SessionRecord | undefined> {
    const r = this.db.prepare('SELECT data, expires_at FROM sessions WHERE sid = ?').get(sid) as { data: string; expires_at: number } | undefined;
    return r && r.expires_at > Date.now() ? { data: r.data, expiresAt: r.expires_at } : undefined;
  }
  async set(sid: string, rec: SessionRecord): Promise<void> {
    this.db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at')
      .run(sid, rec.data, rec.expiresAt);
  }
  async destroy(sid: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE sid = ?').run(sid);
  }
  async prune(now: number): Promise<number> {
    return Number(this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes);
  }
}

class SqliteAudit implements AuditLog {
  constructor(private readonly db: DatabaseSync, private readonly now: () => string) {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const at = this.now();
      const hash = auditHash(prevHash, seq, at, entry);
      this.db.prepare('INSERT INTO audit (seq, at, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)')
        .run(seq, at, entry.action, JSON.stringify(entry), prevHash, hash);
      this.db.exec('COMMIT');
      return { ...entry, seq, at, prevHash, hash };
    } catch (e) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async list(q: { offset?: number; limit?: number; action?: string }) {
    const limit = Math.min(q.limit ?? 50, 500);
    const offset = q.offset ?? 0;
    const where = q.action ? 'WHERE action = ?' : '';
    const params = q.action ? [q.action] : [];
    const rows = this.db.prepare(`SELECT * FROM audit ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as unknown as AuditRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit ${where}`).get(...params) as { n: number }).n;
    return { items: rows.map(toAudit), total, offset, limit };
  }

  async *all(): AsyncIterable<AuditRecord> {
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<AuditRow>) yield toAudit(row);
  }
}

interface AuditRow { seq: number; at: string; data: string; prev_hash: string; hash: string }
function toAudit(r: AuditRow): AuditRecord {
  return { ...(JSON.parse(r.data) as AuditEntry), seq: r.seq, at: r.at, prevHash: r.prev_hash, hash: r.hash };
}

export interface EmbeddedStoreOptions {
  /** A file path, or ':memory:' for tests. */
  path: string;
  now?: () => string;
}

export function openEmbeddedStore(opts: EmbeddedStoreOptions): Store {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new DatabaseSync(opts.path);
  // analysis_limit keeps ANALYZE (run by `maintain`) to milliseconds on large tables.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA analysis_limit = 1000');
  const now = opts.now ?? (() => new Date().toISOString());
  db.exec([
    ...(Object.keys(INDEXED_PATHS) as CollectionName[]).map(collectionSchema),
    'CREATE TABLE IF NOT EXISTS sequences (node TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT',
    'CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT',
    'CREATE INDEX IF NOT EXISTS ix_sessions_exp ON sessions(expires_at)',
    'CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT',
    'CREATE INDEX IF NOT EXISTS ix_audit_action ON audit(action, seq)',
  ].join(';\n'));
  let closed = false;
  return {
    kind: 'embedded',
    resources: new SqliteResources(db, now),
    agencies: new SqliteCollection<Agency>(db, 'agencies', now),
    classification: new SqliteCollection<ClassificationNode>(db, 'classification', now),
    users: new SqliteCollection<User>(db, 'users', now),
    tokens: new SqliteCollection<ApiToken>(db, 'tokens', now),
    overlaps: new SqliteCollection<OverlapFinding>(db, 'overlaps', now),
    deadLetters: new SqliteCollection<DeadLetter>(db, 'deadLetters', now),
    searchMisses: new SqliteCollection<SearchMiss>(db, 'searchMisses', now),
    throttles: new SqliteCollection<Throttle>(db, 'throttles', now),
    requests: new SqliteCollection<SharingRequest>(db, 'requests', now),
    grants: new SqliteCollection<Grant>(db, 'grants', now),
    calendar: new SqliteCollection<CalendarRecord>(db, 'calendar', now),
    idempotency: new SqliteCollection<IdempotencyRecord>(db, 'idempotency', now),
    batches: new SqliteCollection<Batch>(db, 'batches', now),
    notifications: new SqliteCollection<Notification>(db, 'notifications', now),
    settings: new SqliteCollection<Setting>(db, 'settings', now),
    sessions: new SqliteSessions(db),
    audit: new SqliteAudit(db, now),
    async maintain() {
      // SQLite's advice for long-lived connections: analyse the tables that changed enough to need it.
      if (!closed) db.exec('PRAGMA optimize = 0x10002');
    },
    async ping() {
      try {
        if (closed) throw new Error('closed');
        db.prepare('SELECT 1').get();
      } catch {
        throw new UnavailableError('embedded store is not open');
      }
    },
    async close() {
      if (!closed) {
        closed = true;
        db.close();
      }
    },
  };
}
