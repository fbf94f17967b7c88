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
import type { IdempotencyRecord } from '../../../ports/store.ts';
import type { Agency, ApiToken, ClassificationNode, DeadLetter, OverlapFinding, SearchMiss, Throttle, User } from '../../../domain/entities.ts';
import { UnavailableError } from '../../../domain/errors.ts';
import type { Store } from '../../../ports/store.ts';
import { MongoAudit } from './audit.ts';
import { MongoCollection, MongoResources } from './collection.ts';
import { MongoContext } from './context.ts';
import { mapMongoError } from './errors.ts';
import { defineModels, syncAll } from './schema.ts';
import { MongoSessions } from './sessions.ts';

export interface MongoStoreOptions {
  /** mongodb://… including the database name, e.g. mongodb://mongo:27017/catalog?replicaSet=rs0 */
  uri: string;
  /** Drops the whole database at open: tests only. */
  dropDatabase?: boolean;
  now?: () => string;
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
    return makeStore(new MongoContext(conn, models, opts.now ?? (() => new Date().toISOString())));
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
    idempotency: new MongoCollection<IdempotencyRecord>(ctx, 'idempotency'),
    batches: new MongoCollection<Batch>(ctx, 'batches'),
    notifications: new MongoCollection<Notification>(ctx, 'notifications'),
    settings: new MongoCollection<Setting>(ctx, 'settings'),
    sessions: new MongoSessions(ctx),
    audit: new MongoAudit(ctx),
    async maintain() {
      // MongoDB's planner keeps its own statistics (plan cache, trial runs): nothing to refresh.
    },
    async ping() {
      try {
        if (ctx.closed) throw new Error('closed');
        await ctx.conn.getClient().db('admin').command({ ping: 1 });
      } catch (e) {
        throw new UnavailableError('MongoDB store is not reachable', { cause: e });
      }
    },
    async close() {
      if (ctx.closed) return;
      ctx.closed = true;
      await ctx.conn.close();
    },
  };
}
