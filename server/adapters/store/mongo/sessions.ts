// express-session records: { _id: sid, data, expiresAt: Date } with a TTL index that lets MongoDB delete expired
// ones; get() also checks the expiry, since the TTL monitor runs only about once a minute.

import mongoose from 'mongoose';
import type { SessionRecord, SessionStorePort } from '../../../ports/store.ts';
import type { MongoContext } from './context.ts';
import type { RawSession } from './schema.ts';

function expiry(ms: unknown): Date {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error('a session expiry must be a finite number of milliseconds');
  return new Date(ms);
}

export class MongoSessions implements SessionStorePort {
  constructor(private readonly ctx: MongoContext) {}

  get(sid: string): Promise<SessionRecord | undefined> {
    return this.ctx.run(async () => {
      if (typeof sid !== 'string') return undefined;
      const r = await this.ctx.models.sessions.findOne({ _id: sid }).lean<RawSession>();
      const expiresAt = r?.expiresAt instanceof Date ? r.expiresAt.getTime() : NaN;
      return r && expiresAt > Date.now() ? { data: r.data, expiresAt } : undefined;
    });
  }

  set(sid: string, rec: SessionRecord): Promise<void> {
    return this.ctx.run(async () => {
      if (typeof sid !== 'string' || typeof rec.data !== 'string') throw new Error('a session needs a string id and string data');
      await this.ctx.models.sessions.updateOne({ _id: sid }, { $set: { data: rec.data, expiresAt: expiry(rec.expiresAt) } }, { upsert: true });
    });
  }

  destroy(sid: string): Promise<void> {
    return this.ctx.run(async () => {
      if (typeof sid !== 'string') return;
      await this.ctx.models.sessions.deleteOne({ _id: sid });
    });
  }

  count(now: number): Promise<number> {
    return this.ctx.run(() => this.ctx.models.sessions.countDocuments({ expiresAt: mongoose.trusted({ $gt: expiry(now) }) }).exec());
  }

  prune(now: number): Promise<number> {
    return this.ctx.run(async () => {
      const res = await this.ctx.models.sessions.deleteMany({ expiresAt: mongoose.trusted({ $lte: expiry(now) }) });
      return res.deletedCount;
    });
  }
}
