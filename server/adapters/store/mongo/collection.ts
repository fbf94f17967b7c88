// One versioned document collection in MongoDB, with the semantics of the embedded SqliteCollection.
// Every write is one transaction: the document, its history entry, the collection's change counter and, when the
// write carries one, its audit record commit together. Taking the counter inside the transaction also serialises
// the writers of a collection on the counter document (a concurrent writer gets a write conflict and
// MongoContext.transaction retries it with backoff), so `seq` commits in order and changedSince never skips a
// change that commits late.

import mongoose, { type ClientSession, type Model } from 'mongoose';
import { diff } from '../../../domain/diff.ts';
import { ConflictError, NotFoundError } from '../../../domain/errors.ts';
import type { Resource } from '../../../domain/resource.ts';
import type {
  ActorRef, Change, CollectionName, Cond, Entity, HistoryEntry, ListQuery, Page, Repository, ResourceRepository, Scalar, WriteOptions,
} from '../../../ports/store.ts';
import { appendInSession } from './audit.ts';
import type { MongoContext } from './context.ts';
import { isDuplicateKey } from './errors.ts';
import { liveFilter, translateSort } from './filter.ts';
import type { RawEntity, RawHistory } from './schema.ts';

export const MAX_PAGE = 1000;

/** What the embedded adapter stores: the JSON form (no undefined, no Dates, no class instances). */
export function jsonClone<V>(v: V): V {
  return JSON.parse(JSON.stringify(v)) as V;
}

/** Entity → stored document: `id` becomes `_id`; control fields are ours, never the caller's. */
export function toRaw(doc: Entity, seq: number, deleted = false): RawEntity {
  const { id, _id: _i, deleted: _d, seq: _s, __v: _v, version, ...fields } = jsonClone(doc) as Entity & Record<string, unknown>;
  return { _id: id, ...fields, version, deleted, seq };
}

/** Stored document → entity, exactly as the caller wrote it (no `_id`, `deleted`, `seq`). */
export function fromRaw<T>(raw: RawEntity): T {
  const { _id, deleted: _d, seq: _s, __v: _v, ...fields } = raw;
  return { id: _id, ...fields } as T;
}

function assertId(id: unknown): asserts id is string {
  if (typeof id !== 'string') throw new Error('an entity id must be a string');
}

function int(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

export class MongoCollection<T extends Entity> implements Repository<T> {
  protected readonly model: Model<RawEntity>;
  private readonly hist: Model<RawHistory>;

  constructor(protected readonly ctx: MongoContext, private readonly name: CollectionName) {
    this.model = ctx.models.entities[name];
    this.hist = ctx.models.history[name];
  }

  get(id: string): Promise<T | undefined> {
    return this.ctx.run(async () => {
      if (typeof id !== 'string') return undefined;
      const raw = await this.model.findOne({ _id: id, deleted: false }).lean<RawEntity>();
      return raw ? fromRaw<T>(raw) : undefined;
    });
  }

  getBy(path: string, value: Scalar): Promise<T | undefined> {
    return this.ctx.run(async () => {
      const raw = await this.model.findOne(liveFilter(this.name, { path, eq: value })).sort({ _id: 1 }).lean<RawEntity>();
      return raw ? fromRaw<T>(raw) : undefined;
    });
  }

  list(q: ListQuery): Promise<Page<T>> {
    return this.ctx.run(async () => {
      const limit = Math.min(Math.max(int(q.limit, 50), 0), MAX_PAGE);
      const offset = Math.max(int(q.offset, 0), 0);
      const sort = translateSort(this.name, q.sort);
      // Two filter objects: mongoose casts and sanitizes a query's filter in place.
      const [rows, total] = await Promise.all([
        limit === 0 ? [] : this.model.find(liveFilter(this.name, q.where)).sort(sort).skip(offset).limit(limit).lean<RawEntity[]>(),
        this.model.countDocuments(liveFilter(this.name, q.where)),
      ]);
      return { items: rows.map((r) => fromRaw<T>(r)), total, offset, limit };
    });
  }

  count(where?: Cond): Promise<number> {
    return this.ctx.run(() => this.model.countDocuments(liveFilter(this.name, where)).exec());
  }

  async create(doc: T, actor: ActorRef, opts?: WriteOptions): Promise<T> {
    return (await this.createMany([doc], actor, opts))[0];
  }

  async createMany(docs: T[], actor: ActorRef, opts?: WriteOptions): Promise<T[]> {
    const at = this.ctx.now();
    for (const d of docs) assertId(d.id);
    if (!docs.length) return [];
    return this.ctx.transaction(async (session) => {
      // An id that belonged to a deleted document (a calendar day, a derived id) starts again after its tombstone:
      // the tombstone makes way inside this transaction, and versions keep growing.
      const ids = docs.map((d) => d.id);
      const tombs = await this.model.find({ _id: mongoose.trusted({ $in: ids }), deleted: true }).select({ version: 1 }).session(session).lean<RawEntity[]>();
      const after = new Map(tombs.map((t) => [t._id, t.version]));
      if (tombs.length) await this.model.deleteMany({ _id: mongoose.trusted({ $in: [...after.keys()] }), deleted: true }, { session });
      const stored = docs.map((d) => ({ ...d, version: (after.get(d.id) ?? 0) + 1 }) as T);
      const last = await this.ctx.bump(`seq:${this.name}`, stored.length, session);
      const first = last - stored.length + 1;
      // One insertMany in the transaction: a duplicate anywhere aborts the whole batch.
      await this.model.insertMany(stored.map((s, i) => toRaw(s, first + i)), { session, lean: true, ordered: true });
      await this.writeHistory(session, stored.map((s) => ({ entityId: s.id, version: s.version, action: 'create', actor: actor.username, at, changes: [] })));
      await this.appendAudit(session, opts);
      return stored;
    }, this.name);
  }

  async update(id: string, next: T, expectedVersion: number, actor: ActorRef, opts?: WriteOptions): Promise<T> {
    assertId(id);
    const at = this.ctx.now();
    const expected = this.expected(expectedVersion);
    const stored = { ...next, id, version: expected + 1 } as T;
    return this.ctx.transaction(async (session) => {
      const seq = await this.ctx.bump(`seq:${this.name}`, 1, session);
      // A plain driver replace (not mongoose's, which would rebuild the document through the schema); the filter
      // is built here from a checked string id and an integer version only.
      const before = await this.model.collection.findOneAndReplace(
        { _id: id, version: expected, deleted: false } as never, toRaw(stored, seq), { session, returnDocument: 'before' },
      ) as RawEntity | null;
      if (!before) throw await this.missed(id, session);
      const changes = jsonClone(diff(fromRaw<T>(before), stored));
      await this.writeHistory(session, [{ entityId: id, version: stored.version, action: 'update', actor: actor.username, at, changes }]);
      await this.appendAudit(session, opts);
      return stored;
    }, this.name);
  }

  async remove(id: string, expectedVersion: number, actor: ActorRef, opts?: WriteOptions): Promise<void> {
    assertId(id);
    const at = this.ctx.now();
    const expected = this.expected(expectedVersion);
    await this.ctx.transaction(async (session) => {
      const seq = await this.ctx.bump(`seq:${this.name}`, 1, session);
      const res = await this.model.updateOne(
        { _id: id, version: expected, deleted: false }, { $set: { version: expected + 1, deleted: true, seq } }, { session },
      );
      if (res.matchedCount !== 1) throw await this.missed(id, session);
      await this.writeHistory(session, [{ entityId: id, version: expected + 1, action: 'delete', actor: actor.username, at, changes: [] }]);
      await this.appendAudit(session, opts);
    }, this.name);
  }

  /** The write's audit record, last in its transaction (a retried transaction appends it afresh). */
  private async appendAudit(session: ClientSession, opts: WriteOptions | undefined): Promise<void> {
    if (opts?.audit) opts.appended = await appendInSession(this.ctx, session, opts.audit);
  }

  history(id: string): Promise<HistoryEntry[]> {
    return this.ctx.run(async () => {
      if (typeof id !== 'string') return [];
      const rows = await this.hist.find({ entityId: id }).sort({ version: 1 }).lean<RawHistory[]>();
      return rows.map((r) => ({
        entityId: r.entityId, version: r.version, action: r.action, actor: r.actor, at: r.at, changes: r.changes as Change[],
      }));
    });
  }

  changedSince(cursor: string | undefined, limit: number): Promise<{ items: (T & { deleted?: boolean })[]; cursor: string | undefined }> {
    return this.ctx.run(async () => {
      const after = Number(cursor ?? 0);
      if (!Number.isFinite(after)) throw new Error(`bad change cursor ${String(cursor)}`);
      const n = Math.min(Math.max(int(limit, 0), 0), MAX_PAGE);
      if (n === 0) return { items: [], cursor };
      const rows = await this.model.find({ seq: mongoose.trusted({ $gt: after }) }).sort({ seq: 1 }).limit(n).lean<RawEntity[]>();
      const items = rows.map((r) => ({ ...fromRaw<T>(r), ...(r.deleted ? { deleted: true } : {}) }));
      return { items, cursor: rows.length ? String(rows[rows.length - 1].seq) : cursor };
    });
  }

  /** A version that is not an integer can never match, so it ends as ConflictError, as in the embedded adapter. */
  private expected(v: unknown): number {
    return Number.isSafeInteger(v) ? (v as number) : -1;
  }

  /** Why a compare-and-set matched nothing: the document is gone (NotFoundError) or at another version (ConflictError). */
  private async missed(id: string, session: ClientSession): Promise<Error> {
    const cur = await this.model.findOne({ _id: id }).select({ version: 1, deleted: 1 }).session(session).lean<RawEntity>();
    if (!cur || cur.deleted) return new NotFoundError(this.name);
    return new ConflictError('记录已被他人修改,请刷新后重试', 'the record was changed by someone else; reload and retry', cur.version);
  }

  private async writeHistory(session: ClientSession, entries: RawHistory[]): Promise<void> {
    await this.hist.insertMany(entries, { session, lean: true, ordered: true });
  }
}

export class MongoResources extends MongoCollection<Resource> implements ResourceRepository {
  constructor(ctx: MongoContext) {
    super(ctx, 'resources');
  }

  nextSequence(nodeCode: string): Promise<number> {
    return this.ctx.run(async () => {
      if (typeof nodeCode !== 'string' || !nodeCode) throw new Error('a classification node code must be a non-empty string');
      // $inc is atomic; the first upsert of a new node can race another into a duplicate key, so retry that.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.ctx.bump(`seq:resource-code:${nodeCode}`, 1);
        } catch (e) {
          if (!isDuplicateKey(e) || attempt >= 3) throw e;
        }
      }
    });
  }
}
