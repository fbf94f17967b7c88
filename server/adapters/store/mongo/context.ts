// What every repository of one open MongoDB store shares: the connection, its models, the clock, the audit key, and
// the gates that turn "closed", driver failures and contention into domain errors.

import type { ClientSession, Connection } from 'mongoose';
import { UnavailableError } from '../../../domain/errors.ts';
import type { CollectionName } from '../../../ports/store.ts';
import { guarded, isTransient, isUnknownCommitResult, mapMongoError } from './errors.ts';
import type { Models } from './schema.ts';

export interface TransactionPolicy {
  /** How long a transaction keeps retrying write conflicts before it gives up with 503. */
  budgetMs: number;
  /** The first backoff; each retry doubles it (with jitter), up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_TRANSACTION_POLICY: TransactionPolicy = { budgetMs: 5000, baseDelayMs: 5, maxDelayMs: 250 };

const BUSY = { zh: '目录存储繁忙,请稍后重试', en: 'the catalog store is busy; try again shortly', retryAfterSeconds: 1 };

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class MongoContext {
  closed = false;

  constructor(
    readonly conn: Connection, readonly models: Models, readonly now: () => string, readonly auditKey: Buffer,
    readonly policy: TransactionPolicy = DEFAULT_TRANSACTION_POLICY,
  ) {}

  /** Runs an operation: refused with UnavailableError once closed; driver errors mapped (see errors.ts). */
  run<R>(fn: () => Promise<R>, collection?: CollectionName): Promise<R> {
    if (this.closed) return Promise.reject(new UnavailableError('MongoDB store is closed'));
    return guarded(fn, collection);
  }

  /**
   * Runs `fn` in a transaction. Write conflicts and aborted transactions (TransientTransactionError: codes 112,
   * 251) are retried from the start with exponential backoff and jitter, an unknown commit result by committing
   * again; past the budget the caller gets 503 (busy), never 500. `fn` must only touch the database: it may run
   * more than once. What `fn` throws otherwise aborts the transaction and is rethrown, mapped.
   */
  transaction<R>(fn: (session: ClientSession) => Promise<R>, collection?: CollectionName): Promise<R> {
    return this.run(async () => {
      // A connection that never opened has no client to start a session on (mongoose would throw a TypeError).
      const client = this.conn.getClient();
      if (!client) throw new UnavailableError('MongoDB connection is not open');
      const session = client.startSession();
      const deadline = Date.now() + this.policy.budgetMs;
      let delay = this.policy.baseDelayMs;
      const retry = async (e: unknown): Promise<void> => {
        if (Date.now() + delay > deadline) throw new UnavailableError(`MongoDB transaction kept conflicting for ${this.policy.budgetMs} ms`, { cause: e, ...BUSY });
        await pause(delay / 2 + Math.random() * delay);
        delay = Math.min(delay * 2, this.policy.maxDelayMs);
      };
      try {
        for (;;) {
          session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
          let result: R;
          try {
            result = await fn(session);
          } catch (e) {
            await session.abortTransaction().catch(() => {});
            if (!isTransient(e)) throw e;
            await retry(e);
            continue;
          }
          const committed = await this.commit(session, retry);
          if (committed) return result;
        }
      } finally {
        await session.endSession().catch(() => {});
      }
    }, collection);
  }

  /** Commits; false when the whole transaction must run again (its commit was aborted by a conflict). */
  private async commit(session: ClientSession, retry: (e: unknown) => Promise<void>): Promise<boolean> {
    for (;;) {
      try {
        await session.commitTransaction();
        return true;
      } catch (e) {
        if (isUnknownCommitResult(e)) {
          await retry(e);
          continue;
        }
        if (isTransient(e)) {
          await retry(e);
          return false;
        }
        throw mapMongoError(e);
      }
    }
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
