// What every repository of one open MongoDB store shares: the connection, its models, the clock, and the gate
// that turns "closed" and driver failures into domain errors.

import type { ClientSession, Connection } from 'mongoose';
import { UnavailableError } from '../../../domain/errors.ts';
import type { CollectionName } from '../../../ports/store.ts';
import { guarded } from './errors.ts';
import type { Models } from './schema.ts';

export class MongoContext {
  closed = false;

  constructor(readonly conn: Connection, readonly models: Models, readonly now: () => string) {}

  /** Runs an operation: refused with UnavailableError once closed; driver errors mapped (see errors.ts). */
  run<R>(fn: () => Promise<R>, collection?: CollectionName): Promise<R> {
    if (this.closed) return Promise.reject(new UnavailableError('MongoDB store is closed'));
    return guarded(fn, collection);
  }

  /**
   * Runs `fn` in a transaction (retried by the driver on transient errors such as write conflicts, so `fn` must
   * only touch the database). An error `fn` throws aborts the transaction and is rethrown, mapped.
   */
  transaction<R>(fn: (session: ClientSession) => Promise<R>, collection?: CollectionName): Promise<R> {
    return this.run(() => {
      // A connection that never opened has no client to start a session on (mongoose would throw a TypeError).
      if (!this.conn.getClient()) throw new UnavailableError('MongoDB connection is not open');
      return this.conn.transaction(fn);
    }, collection);
  }

  /** Adds `by` to a counter and returns the new value; inside `session` when given (rolled back with it). */
  async bump(key: string, by: number, session?: ClientSession): Promise<number> {
    const c = await this.models.counters
      .findOneAndUpdate({ _id: key }, { $inc: { n: by } }, { upsert: true, returnDocument: 'after', ...(session ? { session } : {}) })
      .lean();
    if (!c) throw new Error(`counter ${key} was not returned`);
    return c.n;
  }
}
