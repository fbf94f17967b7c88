// The production store: MongoDB through mongoose 8, on a dedicated connection (never mongoose's global one).
//
// Connection settings that matter:
// - bufferCommands: false and a short serverSelectionTimeoutMS: with the server down an operation fails within a
//   few seconds with UnavailableError (503) instead of queueing forever;
// - sanitizeFilter: true: any `$` operator in a filter that this adapter did not build itself (and mark with
//   mongoose.trusted) is neutralised, on top of filters being built only from allowlisted paths and scalars;
//   strictQuery: 'throw' is set on every schema (schema.ts), so an undeclared path in a filter throws;
// - autoIndex / autoCreate off, and instead every collection and index is created by syncIndexes, awaited at open;
// - a replica set is required: every write is a transaction (docker-compose runs a single-node replica set).

import mongoose from 'mongoose';
import type { CalendarRecord } from '../../../domain/calendar.ts';
import type { Batch, Grant, Notification, Setting, SharingRequest } from '../../../domain/workflow/entities.ts';
import type { Agency, ApiToken, ClassificationNode, DeadLetter, OverlapFinding, SearchMiss, Throttle, User } from '../../../domain/entities.ts';
import { UnavailableError } from '../../../domain/errors.ts';
import { INDEXED_PATHS, type Store } from '../../../ports/store.ts';
import { MongoAudit, ensureAuditHead } from './audit.ts';
import { MongoCollection, MongoResources } from './collection.ts';
import { DEFAULT_TRANSACTION_POLICY, MongoContext, type TransactionPolicy } from './context.ts';
import { MongoIdempotency } from './idempotency.ts';
import { mapMongoError } from './errors.ts';
import { defineModels, syncAll } from './schema.ts';
import { MongoSessions } from './sessions.ts';

export interface MongoStoreOptions {
  /** mongodb://… including the database name, e.g. mongodb://mongo:27017/catalog?replicaSet=rs0 */
  uri: string;
  /** The key of the audit chain's HMAC, kept outside the store (config.ts loads it). */
  auditKey: Buffer;
  /** Drops the whole database at open: tests only. */
  dropDatabase?: boolean;
  now?: () => string;
  /** How long a conflicting transaction is retried before 503. */
  transactions?: Partial<TransactionPolicy>;
  /** How long an operation waits for a reachable server before UnavailableError; 3000 ms by default. */
  serverSelectionTimeoutMS?: number;
}

export async function openMongoStore(opts: MongoStoreOptions): Promise<Store> {
  const timeout = opts.serverSelectionTimeoutMS ?? 3000;
  const conn = mongoose.createConnection(opts.uri, {
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: 10_000,
    // A server that stops answering mid-operation (a partition rather than a refused connection) fails the
    // operation after this long instead of holding the request open indefinitely.
    socketTimeoutMS: 30_000,
    bufferCommands: false,
    sanitizeFilter: true,
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await conn.asPromise();
    await requireReplicaSet(conn);
    if (opts.dropDatabase) await conn.dropDatabase();
    const models = defineModels(conn);
    await syncAll(models);
    const ctx = new MongoContext(conn, models, opts.now ?? (() => new Date().toISOString()), opts.auditKey, { ...DEFAULT_TRANSACTION_POLICY, ...opts.transactions });
    await ensureCounters(ctx);
    await ensureAuditHead(ctx);
    return makeStore(ctx);
  } catch (e) {
    await conn.close(true).catch(() => {});
    throw mapMongoError(e);
  }
}

async function requireReplicaSet(conn: mongoose.Connection): Promise<void> {
  const admin = conn.getClient().db('admin');
  // `hello` since MongoDB 4.4.2; `isMaster` before (a server without `hello` answers CommandNotFound).
  const hello = await admin.command({ hello: 1 }).catch((e: { code?: unknown }) => {
    if (e?.code === 59) return admin.command({ isMaster: 1 });
    throw e;
  });
  if (!hello.setName && hello.msg !== 'isdbgrid') {
    throw new Error('MongoDB must run as a replica set (writes use transactions); start it with --replSet, as docker-compose does');
  }
}

/**
 * Creates the per-collection change counters outside any transaction: two transactions upserting the same missing
 * counter would collide on its `_id` (a duplicate key, which is not retried like a write conflict).
 */
async function ensureCounters(ctx: MongoContext): Promise<void> {
  await ctx.models.counters.bulkWrite((Object.keys(INDEXED_PATHS) as string[]).map((name) => ({
    updateOne: { filter: { _id: `seq:${name}` }, update: { $setOnInsert: { n: 0 } }, upsert: true },
  })), { ordered: false }).catch((e: unknown) => {
    // Another instance opening at the same moment created some of them.
    if (!(e && typeof e === 'object' && (e as { code?: unknown }).code === 11000)) throw e;
  });
}

function makeStore(ctx: MongoContext): Store {
  return {
    kind: 'mongo',
    resources: new MongoResources(ctx),
    agencies: new MongoCollection<Agency>(ctx, 'agencies'),
    classification: new MongoCollection<ClassificationNode>(ctx, 'classification'),
    users: new MongoCollection<User>(ctx, 'users'),
    tokens: new MongoCollection<ApiToken>(ctx, 'tokens'),
    overlaps: new MongoCollection<OverlapFinding>(ctx, 'overlaps'),
    deadLetters: new MongoCollection<DeadLetter>(ctx, 'deadLetters'),
    searchMisses: new MongoCollection<SearchMiss>(ctx, 'searchMisses'),
    throttles: new MongoCollection<Throttle>(ctx, 'throttles'),
    requests: new MongoCollection<SharingRequest>(ctx, 'requests'),
    grants: new MongoCollection<Grant>(ctx, 'grants'),
    calendar: new MongoCollection<CalendarRecord>(ctx, 'calendar'),
    idempotency: new MongoIdempotency(ctx),
    batches: new MongoCollection<Batch>(ctx, 'batches'),
    notifications: new MongoCollection<Notification>(ctx, 'notifications'),
    settings: new MongoCollection<Setting>(ctx, 'settings'),
    sessions: new MongoSessions(ctx),
    audit: new MongoAudit(ctx),
    async maintain() {
      // MongoDB's planner keeps its own statistics (plan cache, trial runs): nothing to refresh.
    },
    async ping() {
      if (ctx.closed) throw new UnavailableError('MongoDB store is closed');
      try {
        // A majority-acknowledged write, bounded in time: a primary that cannot write (disk full, stepped down, no
        // majority) makes readiness red, not only the next user's request.
        await ctx.models.counters.updateOne({ _id: 'health' }, { $set: { n: Date.now() } }, { upsert: true, writeConcern: { w: 'majority', wtimeout: 2000 }, maxTimeMS: 2000 });
      } catch (e) {
        throw new UnavailableError('MongoDB store cannot write', { cause: e });
      }
    },
    async close() {
      if (ctx.closed) return;
      ctx.closed = true;
      await ctx.conn.close();
    },
  };
}
