// Mongoose schemas and models of the MongoDB store, built per connection.
//
// Entity collections keep the entity's own fields at the top level, `_id` = entity id (a string), plus the control
// fields `version` (compare-and-set), `deleted` (tombstone) and `seq` (per-collection change sequence, from the
// `counters` collection). The schema declares the control fields and the allowlisted paths of INDEXED_PATHS with
// their types, and is `strict: false` for everything else. Why `strict: false` rather than declaring the rest as
// Mixed: declaring it would mean listing every field of every entity here, a second hand-kept copy of a shape the
// domain layer (server/domain) owns and validates, which could only drift; and the `provider.agencyId`-style
// indexed paths make `provider`, `sharing`, … nested paths, which cannot be Mixed as well. `strictQuery: 'throw'`
// is set on every schema, so a filter on any undeclared path is refused by mongoose as well as by our allowlist.
// Entity documents are written as plain objects (lean insertMany, driver replace), never through mongoose
// documents, which would add empty objects for absent nested paths and reorder keys; so what is stored is exactly
// the JSON the embedded adapter would store.

import mongoose, { type Connection, type Model, Schema, type SchemaDefinition } from 'mongoose';
import { type CollectionName, INDEXED_PATHS, UNIQUE_KEYS } from '../../../ports/store.ts';
import { PATH_TYPES, type PathType, ident, uniqueIndexName } from './paths.ts';

export interface RawEntity {
  _id: string;
  version: number;
  deleted: boolean;
  seq: number;
  [field: string]: unknown;
}

export interface RawHistory {
  entityId: string;
  version: number;
  action: 'create' | 'update' | 'delete';
  actor: string;
  at: string;
  changes: unknown[];
}

export interface RawCounter {
  _id: string;
  n: number;
}

export interface RawSession {
  _id: string;
  data: string;
  expiresAt: Date;
}

/** The audit chain's tail, one document: every append takes it in its transaction, so appends are serial. */
export interface RawAuditHead {
  _id: 'head';
  seq: number;
  hash: string;
}

export interface RawIdempotency {
  _id: string;
  fingerprint: string;
  state: 'pending' | 'done';
  status?: number;
  body?: string;
  createdAt: string;
  /** A Date for MongoDB's TTL monitor; prune() removes expired keys too, on the same clock as the embedded store. */
  expiresAt: Date;
}

export interface RawAudit {
  _id: number;
  at: string;
  action: string;
  prevHash: string;
  hash: string;
  [field: string]: unknown;
}

const COMMON = {
  strictQuery: 'throw',
  id: false, // no `id` virtual: `id` is a plain field on the way out, `_id` in the database
  versionKey: false, // no `__v`: `version` is ours
  minimize: false,
  autoIndex: false, // indexes are built, awaited, by syncIndexes at open
  autoCreate: false,
  bufferCommands: false,
} as const;

function typeOf(t: PathType): SchemaDefinition[string] {
  switch (t) {
    case 'string': return String;
    case 'number': return Number;
    case 'boolean': return Boolean;
    case 'strings': return { type: [String], default: undefined };
  }
}

export function entitySchema(name: CollectionName): Schema<RawEntity> {
  const schema = new Schema<RawEntity>({ _id: String, version: Number, deleted: Boolean, seq: Number }, { ...COMMON, strict: false });
  // `add` with dotted keys declares `sharing.type` as a path (object notation would read `type` as a type key).
  const types = PATH_TYPES[name] as Record<string, PathType>;
  for (const path of INDEXED_PATHS[name]) schema.add({ [path]: typeOf(types[path]) });

  const unique = UNIQUE_KEYS[name] ?? [];
  // Unique among live documents only, so a tombstone keeps its code but frees it for reuse (the embedded
  // `WHERE deleted = 0`). Every read filters on `deleted: false`, so these partial indexes serve lookups too.
  for (const keys of unique) {
    schema.index(Object.fromEntries(keys.map((k) => [k, 1])), {
      name: uniqueIndexName(name, keys), unique: true, partialFilterExpression: { deleted: false },
    });
  }
  for (const path of INDEXED_PATHS[name]) {
    // A single-path unique index already covers the path; a second index on the same key pattern that differs
    // only in options is refused by older servers.
    if (unique.some((keys) => keys.length === 1 && keys[0] === path)) continue;
    schema.index({ [path]: 1 }, { name: `ix_${name}_${ident(path)}` });
  }
  schema.index({ seq: 1 }, { name: `ix_${name}__seq` });
  return schema;
}

export function historySchema(name: CollectionName): Schema<RawHistory> {
  const schema = new Schema<RawHistory>({
    entityId: String, version: Number, action: String, actor: String, at: String, changes: [Schema.Types.Mixed],
  }, { ...COMMON, strict: true });
  schema.index({ entityId: 1, version: 1 }, { name: `ux_history_${name}`, unique: true });
  return schema;
}

export function counterSchema(): Schema<RawCounter> {
  return new Schema<RawCounter>({ _id: String, n: Number }, { ...COMMON, strict: true });
}

export function sessionSchema(): Schema<RawSession> {
  const schema = new Schema<RawSession>({ _id: String, data: String, expiresAt: Date }, { ...COMMON, strict: true });
  // MongoDB's TTL monitor deletes expired sessions about once a minute; get() checks the expiry itself.
  schema.index({ expiresAt: 1 }, { name: 'ttl_sessions_expiresAt', expireAfterSeconds: 0 });
  return schema;
}

export function auditSchema(): Schema<RawAudit> {
  const schema = new Schema<RawAudit>({
    _id: Number, at: String, actor: String, agencyId: String, roles: { type: [String], default: undefined }, action: String,
    object: String, outcome: String, correlationId: String, detail: Schema.Types.Mixed, prevHash: String, hash: String,
  }, { ...COMMON, strict: true });
  schema.index({ action: 1, _id: 1 }, { name: 'ix_audit_action' });
  return schema;
}

export function auditHeadSchema(): Schema<RawAuditHead> {
  return new Schema<RawAuditHead>({ _id: String, seq: Number, hash: String }, { ...COMMON, strict: true });
}

export function idempotencySchema(): Schema<RawIdempotency> {
  const schema = new Schema<RawIdempotency>({
    _id: String, fingerprint: String, state: String, status: Number, body: String, createdAt: String, expiresAt: Date,
  }, { ...COMMON, strict: true });
  schema.index({ expiresAt: 1 }, { name: 'ttl_idempotency_expiresAt', expireAfterSeconds: 0 });
  schema.index({ createdAt: 1 }, { name: 'ix_idempotency_createdAt' });
  return schema;
}

export interface Models {
  entities: Record<CollectionName, Model<RawEntity>>;
  history: Record<CollectionName, Model<RawHistory>>;
  counters: Model<RawCounter>;
  sessions: Model<RawSession>;
  audit: Model<RawAudit>;
  auditHead: Model<RawAuditHead>;
  idempotency: Model<RawIdempotency>;
}

export function defineModels(conn: Connection): Models {
  const names = Object.keys(INDEXED_PATHS) as CollectionName[];
  const entities = {} as Record<CollectionName, Model<RawEntity>>;
  const history = {} as Record<CollectionName, Model<RawHistory>>;
  for (const name of names) {
    entities[name] = conn.model<RawEntity>(name, entitySchema(name), name);
    history[name] = conn.model<RawHistory>(`history_${name}`, historySchema(name), `history_${name}`);
  }
  return {
    entities,
    history,
    counters: conn.model<RawCounter>('counters', counterSchema(), 'counters'),
    sessions: conn.model<RawSession>('sessions', sessionSchema(), 'sessions'),
    audit: conn.model<RawAudit>('audit', auditSchema(), 'audit'),
    auditHead: conn.model<RawAuditHead>('auditHead', auditHeadSchema(), 'auditHead'),
    idempotency: conn.model<RawIdempotency>('idempotency', idempotencySchema(), 'idempotency'),
  };
}

/**
 * Creates every collection (before any transaction needs it: servers before 4.4 cannot create one inside a
 * transaction) and exactly the declared indexes, and waits until they exist.
 */
export async function syncAll(models: Models): Promise<void> {
  const all: { syncIndexes(options?: mongoose.SyncIndexesOptions): Promise<unknown> }[] = [
    ...Object.values(models.entities), ...Object.values(models.history), models.counters, models.sessions, models.audit, models.auditHead,
    models.idempotency,
  ];
  // `autoCreate` is read by Model.syncIndexes (it creates the collection first) but missing from its option type.
  const options = { autoCreate: true } as mongoose.SyncIndexesOptions;
  await Promise.all(all.map((m) => m.syncIndexes(options)));
}
