// The hash-chained audit log: { _id: seq, at, ...entry, prevHash, hash }. append reads the last record and inserts
// seq + 1 chained to it; the `_id` unique index makes two concurrent appenders collide instead of forking the
// chain, and the loser re-reads and retries (bounded). If it still cannot append it throws, so the caller's
// operation fails too (F17).

import { GENESIS_HASH, auditHash } from '../../../domain/audit.ts';
import type { AuditEntry, AuditRecord } from '../../../domain/entities.ts';
import { UnavailableError } from '../../../domain/errors.ts';
import type { AuditLog, Page } from '../../../ports/store.ts';
import type { MongoContext } from './context.ts';
import { isDuplicateKey, mapMongoError } from './errors.ts';
import type { RawAudit } from './schema.ts';

const MAX_ATTEMPTS = 5;
const MAX_PAGE = 500;

function toAudit(r: RawAudit): AuditRecord {
  const { _id, at, prevHash, hash, ...entry } = r;
  return { ...(entry as unknown as AuditEntry), seq: _id, at, prevHash, hash };
}

function int(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

export class MongoAudit implements AuditLog {
  constructor(private readonly ctx: MongoContext) {}

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.ctx.run(async () => {
      // The JSON form is what the hash covers (auditHash stringifies) and what is stored.
      const clean = JSON.parse(JSON.stringify(entry)) as AuditEntry;
      const model = this.ctx.models.audit;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const last = await model.findOne({}).sort({ _id: -1 }).select({ hash: 1 }).lean<Pick<RawAudit, '_id' | 'hash'>>();
        const seq = (last?._id ?? 0) + 1;
        const prevHash = last?.hash ?? GENESIS_HASH;
        const at = this.ctx.now();
        const hash = auditHash(prevHash, seq, at, clean);
        try {
          await model.insertMany([{ ...clean, _id: seq, at, prevHash, hash }], { lean: true });
          return { ...clean, seq, at, prevHash, hash };
        } catch (e) {
          if (!isDuplicateKey(e)) throw mapMongoError(e);
        }
      }
      throw new UnavailableError(`audit log is busy: could not append after ${MAX_ATTEMPTS} attempts`);
    });
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

  async *all(): AsyncIterable<AuditRecord> {
    const cursor = await this.ctx.run(async () => this.ctx.models.audit.find({}).sort({ _id: 1 }).lean<RawAudit[]>().cursor());
    try {
      for await (const r of cursor) yield toAudit(r as unknown as RawAudit);
    } catch (e) {
      throw mapMongoError(e);
    }
  }
}
