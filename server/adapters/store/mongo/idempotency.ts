// Idempotency keys: { _id: key id, fingerprint, state, status, body, createdAt, expiresAt }. A claim is one upsert
// whose filter only matches a record older than the keeping window, so a fresh record makes it fail on the `_id`
// index (E11000) and is read back instead: of two claims of one key exactly one wins. No versions, no history, no
// tombstones: a forgotten or pruned key is free again at once.

import mongoose from 'mongoose';
import type { IdempotencyRecord, IdempotencyStore } from '../../../ports/store.ts';
import type { MongoContext } from './context.ts';
import { isDuplicateKey } from './errors.ts';
import type { RawIdempotency } from './schema.ts';

/** MongoDB's TTL monitor removes a key this long after its creation, as a backstop to prune(). */
const TTL_MS = 48 * 3600_000;

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a string`);
  return v;
}

export class MongoIdempotency implements IdempotencyStore {
  constructor(private readonly ctx: MongoContext) {}

  claim(rec: IdempotencyRecord, keptSince: string): Promise<IdempotencyRecord | undefined> {
    return this.ctx.run(async () => {
      const id = str(rec.id, 'an idempotency key id');
      const model = this.ctx.models.idempotency;
      try {
        await model.updateOne(
          { _id: id, createdAt: mongoose.trusted({ $lt: str(keptSince, 'keptSince') }) },
          { $set: { fingerprint: str(rec.fingerprint, 'a fingerprint'), state: 'pending', createdAt: str(rec.createdAt, 'createdAt'), expiresAt: new Date(Date.parse(rec.createdAt) + TTL_MS) }, $unset: { status: 1, body: 1 } },
          { upsert: true },
        );
        return undefined;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      const r = await model.findOne({ _id: id }).lean<RawIdempotency>();
      // Pruned between the two steps: the key is free, but this claim did not take it; the caller sees a conflict.
      if (!r) return { id, fingerprint: '', state: 'pending', createdAt: rec.createdAt };
      return { id: r._id, fingerprint: r.fingerprint, state: r.state, createdAt: r.createdAt, ...(r.status === undefined ? {} : { status: r.status }), ...(r.body === undefined ? {} : { body: r.body }) };
    });
  }

  finish(id: string, status: number, body: string | undefined): Promise<void> {
    return this.ctx.run(async () => {
      await this.ctx.models.idempotency.updateOne({ _id: str(id, 'an idempotency key id') }, body === undefined
        ? { $set: { state: 'done', status } } : { $set: { state: 'done', status, body: str(body, 'a body') } });
    });
  }

  forget(id: string): Promise<void> {
    return this.ctx.run(async () => {
      await this.ctx.models.idempotency.deleteOne({ _id: str(id, 'an idempotency key id') });
    });
  }

  prune(before: string): Promise<number> {
    return this.ctx.run(async () => (await this.ctx.models.idempotency.deleteMany({ createdAt: mongoose.trusted({ $lt: str(before, 'before') }) })).deletedCount);
  }
}
