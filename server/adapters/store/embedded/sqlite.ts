// What every part of the embedded store shares: SQLite errors turned into domain errors, and the audit chain that
// writes append to inside their own transactions.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type ChainHead, EMPTY_CHAIN, chainRecord } from '../../../domain/audit.ts';
import type { AuditEntry, AuditRecord } from '../../../domain/entities.ts';
import { UnavailableError, UniqueViolation } from '../../../domain/errors.ts';

/**
 * SQLite's primary result codes that mean "the store cannot do this now", not "this request is wrong": the caller
 * gets 503 with Retry-After and a message in Chinese, never a 500 (F9/F10).
 */
const UNAVAILABLE: Record<number, { zh: string; en: string }> = {
  5: { zh: '目录存储繁忙,请稍后重试', en: 'the catalog store is busy; try again shortly' }, // BUSY
  6: { zh: '目录存储繁忙,请稍后重试', en: 'the catalog store is busy; try again shortly' }, // LOCKED
  7: { zh: '目录存储暂不可用,请稍后重试', en: 'the catalog store is out of memory; try again shortly' }, // NOMEM
  8: { zh: '目录存储当前为只读,暂时无法保存,请稍后重试并联系系统管理员', en: 'the catalog store is read-only; nothing was saved' }, // READONLY
  10: { zh: '目录存储读写出错,暂时无法保存,请稍后重试并联系系统管理员', en: 'the catalog store had an I/O error; nothing was saved' }, // IOERR
  11: { zh: '目录存储文件损坏,请联系系统管理员', en: 'the catalog store file is damaged' }, // CORRUPT
  13: { zh: '目录存储空间已满,暂时无法保存,请稍后重试并联系系统管理员', en: 'the catalog store is full (disk space); nothing was saved' }, // FULL
  14: { zh: '目录存储文件无法打开,请联系系统管理员', en: 'the catalog store file cannot be opened' }, // CANTOPEN
  15: { zh: '目录存储繁忙,请稍后重试', en: 'the catalog store is busy; try again shortly' }, // PROTOCOL
  26: { zh: '目录存储文件损坏,请联系系统管理员', en: 'the catalog store file is not a database' }, // NOTADB
};

interface SqliteError {
  code?: unknown;
  errcode?: unknown;
  message?: unknown;
}

export function mapSqliteError(e: unknown, collection?: string): unknown {
  if (!(e instanceof Error) || e instanceof UnavailableError || e instanceof UniqueViolation) return e;
  const x = e as SqliteError;
  const msg = typeof x.message === 'string' ? x.message : '';
  if (x.code === 'ERR_SQLITE_ERROR' && typeof x.errcode === 'number') {
    const known = UNAVAILABLE[x.errcode & 0xff];
    if (known) return new UnavailableError(`embedded store: ${msg}`, { cause: e, ...known });
    const m = /UNIQUE constraint failed: index 'ux_[a-z]+_([A-Za-z_]+)'/.exec(msg);
    if (m) return new UniqueViolation(m[1].split('__').map((k) => k.replace(/_/g, '.')));
    if (collection && /UNIQUE constraint failed: c_\w+\.id/.test(msg)) return new UniqueViolation([`${collection}.id`]);
  }
  // A closed database (shutdown under way) is the store being unavailable too.
  if (x.code === 'ERR_INVALID_STATE' && /not open/i.test(msg)) return new UnavailableError('embedded store is closed', { cause: e });
  return e;
}

/** Runs SQLite work, translating what it throws. */
export function sqliteGuard<R>(fn: () => R, collection?: string): R {
  try {
    return fn();
  } catch (e) {
    throw mapSqliteError(e, collection);
  }
}

/** Ends an open transaction after a failure; a rollback that fails too (an I/O error) leaves the first error to report. */
export function rollback(db: DatabaseSync): void {
  try {
    if (db.isTransaction) db.exec('ROLLBACK');
  } catch {
    // SQLite rolls back by itself when the connection next runs; the original failure is what the caller reports.
  }
}

/**
 * The audit log's tail. SQLite writes are serial (one connection, BEGIN IMMEDIATE), so appending inside the caller's
 * transaction is all it takes to keep the chain in commit order.
 */
export class SqliteAuditChain {
  private readonly last: StatementSync;
  private readonly insert: StatementSync;

  constructor(db: DatabaseSync, private readonly key: Buffer, private readonly now: () => string) {
    this.last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit (seq, at, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)');
  }

  head(): ChainHead | undefined {
    return this.last.get() as ChainHead | undefined;
  }

  /** Appends inside the transaction that is open on the connection. */
  appendInTransaction(entry: AuditEntry): AuditRecord {
    // The JSON form is what the hash covers and what is stored (no undefined members).
    const clean = JSON.parse(JSON.stringify(entry)) as AuditEntry;
    const rec = chainRecord(this.key, this.head() ?? EMPTY_CHAIN, this.now(), clean);
    this.insert.run(rec.seq, rec.at, rec.action, JSON.stringify(clean), rec.prevHash, rec.hash);
    return rec;
  }
}
