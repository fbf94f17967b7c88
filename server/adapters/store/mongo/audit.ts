// The keyed hash-chained audit log: { _id: seq, at, ...entry, prevHash, hash }, and its tail in one `auditHead`
// document. An append takes the head first, inside a transaction (the change's own, when it carries its record): the
// first transaction to write the head holds it, every concurrent one gets a write conflict and is retried with
// backoff by MongoContext.transaction. So appends are serial, the chain never forks, and a change and its record
// commit together (F17). Before, appenders raced on the `_id` index with five immediate retries and then failed
// with "audit log is busy" under six concurrent writes.

import mongoose, { type ClientSession } from 'mongoose';
import { type ChainHead, EMPTY_CHAIN, chainRecord } from '../../../domain/audit.ts';
import type { AuditEntry, AuditRecord } from '../../../domain/entities.ts';
import type { AuditLog, Page } from '../../../ports/store.ts';
import type { MongoContext } from './context.ts';
import { isDuplicateKey, mapMongoError } from './errors.ts';
import type { RawAudit } from './schema.ts';

const MAX_PAGE = 500;
const HEAD = 'head' as const;

function toAudit(r: RawAudit): AuditRecord {
  const { _id, at, prevHash, hash, ...entry } = r;
  return { ...(entry as unknown as AuditEntry), seq: _id, at, prevHash, hash };
}

function int(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

/** Appends `entry` inside `session`'s transaction. */
export async function appendInSession(ctx: MongoContext, session: ClientSession, entry: AuditEntry): Promise<AuditRecord> {
  // The JSON form is what the hash covers (auditHash stringifies) and what is stored.
  const clean = JSON.parse(JSON.stringify(entry)) as AuditEntry;
  // Writing the head first is what serialises appenders: the read and the write are one operation.
  const before = await ctx.models.auditHead.findOneAndUpdate({ _id: HEAD }, { $inc: { seq: 1 } }, { session, returnDocument: 'before' }).lean();
  if (!before) throw new Error('the audit head is missing (it is created when the store opens)');
  const rec = chainRecord(ctx.auditKey, { seq: before.seq, hash: before.hash }, ctx.now(), clean);
  await ctx.models.auditHead.updateOne({ _id: HEAD }, { $set: { hash: rec.hash } }, { session });
  await ctx.models.audit.insertMany([{ ...clean, _id: rec.seq, at: rec.at, prevHash: rec.prevHash, hash: rec.hash }], { session, lean: true });
  return rec;
}

/**
 * Creates the head when a store opens for the first time, from the last record if the log already has some (a head
 * that existed is left alone: it is the truth the next append follows).
 */
export async function ensureAuditHead(ctx: MongoContext): Promise<void> {
  const last = await ctx.models.audit.findOne({}).sort({ _id: -1 }).select({ hash: 1 }).lean<Pick<RawAudit, '_id' | 'hash'>>();
  const start: ChainHead = last ? { seq: last._id, hash: last.hash } : EMPTY_CHAIN;
  try {
    await ctx.models.auditHead.updateOne({ _id: HEAD }, { $setOnInsert: { seq: start.seq, hash: start.hash } }, { upsert: true });
  } catch (e) {
    // Two instances opening at once: the other one created it.
    if (!isDuplicateKey(e)) throw e;
  }
}

export class MongoAudit implements AuditLog {
  constructor(private readonly ctx: MongoContext) {}

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.ctx.transaction((session) => appendInSession(this.ctx, session, entry));
  }

  list(q: { offset?: number; limit?: number; action?: string }): Promise<Page<AuditRecord>> {
    return this.ctx.run(async () => {
      const limit = Math.min(Math.max(int(q.limit, 50), 0), MAX_PAGE);
      const offset = Math.max(int(q.offset, 0), 0);
      if (q.action !== undefined && typeof q.action !== 'string') throw new Error('an audit action filter must be a string');
      const filter = () => (q.action ? { action: q.action } : {});
      const model = this.ctx.models.audit;
      const [rows, total] = await Promise.all([
        limit === 0 ? [] : model.find(filter()).sort({ _id: -1 }).skip(offset).limit(limit).lean<RawAudit[]>(),
        model.countDocuments(filter()),
      ]);
      return { items: rows.map(toAudit), total, offset, limit };
    });
  }

  async *records(from = 1): AsyncIterable<AuditRecord> {
    const start = Math.max(1, int(from, 1));
    const cursor = await this.ctx.run(async () => this.ctx.models.audit.find({ _id: mongoose.trusted({ $gte: start }) }).sort({ _id: 1 }).lean<RawAudit[]>().cursor());
    try {
      for await (const r of cursor) yield toAudit(r as unknown as RawAudit);
    } catch (e) {
      throw mapMongoError(e);
    }
  }

  head(): Promise<ChainHead | undefined> {
    return this.ctx.run(async () => {
      // The last record, not the head document: verification compares what is there with what should be.
      const last = await this.ctx.models.audit.findOne({}).sort({ _id: -1 }).select({ hash: 1 }).lean<Pick<RawAudit, '_id' | 'hash'>>();
      return last ? { seq: last._id, hash: last.hash } : undefined;
    });
  }
}
