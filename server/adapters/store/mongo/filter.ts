// Cond → MongoDB filter, and sort → MongoDB sort: pure functions, no connection needed.
//
// Only allowlisted paths (INDEXED_PATHS) get through, for filters and sorts alike. Values must be scalars; an
// operator object ($in, $regex) is only ever built here, around scalars the port received, and is marked with
// mongoose.trusted() so that the connection's `sanitizeFilter` lets it through while still wrapping anything
// else that carries a `$` key in `$eq`. Top-level `$or` / `$and` need no marking: sanitizeFilter descends into them.
//
// Semantics follow the embedded adapter:
// - comparisons are type-strict: a value of the wrong type for the path (e.g. `level eq '1'`) matches nothing,
//   as `json_extract(...) = ?` does in SQLite; this also keeps mongoose from casting ('1' → 1) or throwing a CastError;
// - `eq: null` matches a missing or null field (SQL `IS NULL`);
// - array paths match when any element matches (native in MongoDB); their values are compared as strings and
//   `prefix` is refused on them, as in the embedded adapter;
// - `in: []` and `or: []` match nothing, `and: []` matches everything.

import mongoose from 'mongoose';
import type { CollectionName, Cond, ListQuery, Scalar } from '../../../ports/store.ts';
import { type PathType, pathType } from './paths.ts';

export type MongoFilter = Record<string, unknown>;
export type MongoSort = Record<string, 1 | -1>;

/** A condition that matches no document ($or with no branches is a server error, not "false"). */
function never(): MongoFilter {
  return { _id: mongoose.trusted({ $in: [] }) };
}

/** Escapes every regular-expression metacharacter (JS and PCRE alike); NUL (refused raw by MongoDB) as \x00. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&').replace(/\0/g, '\\x00');
}

function scalar(v: unknown): Scalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new Error(`filter values must be scalars, got ${typeof v}`);
}

/** The value as stored under a path of this type, or undefined when it cannot match (type mismatch). */
function comparable(type: PathType, v: Scalar): Scalar | undefined {
  if (type === 'strings') return String(v);
  if (v === null) return null;
  const ok = type === 'string' ? typeof v === 'string' : type === 'number' ? typeof v === 'number' : typeof v === 'boolean';
  return ok ? v : undefined;
}

export function translateCond(collection: CollectionName, c: Cond): MongoFilter {
  if (!c || typeof c !== 'object') throw new Error('a filter condition must be an object');
  if ('or' in c) {
    if (!Array.isArray(c.or)) throw new Error('or needs an array of conditions');
    return c.or.length ? { $or: c.or.map((x) => translateCond(collection, x)) } : never();
  }
  if ('and' in c) {
    if (!Array.isArray(c.and)) throw new Error('and needs an array of conditions');
    return c.and.length ? { $and: c.and.map((x) => translateCond(collection, x)) } : {};
  }
  const path = c.path;
  const type = pathType(collection, path);
  if ('eq' in c) {
    const v = comparable(type, scalar(c.eq));
    return v === undefined ? never() : { [path]: v };
  }
  if ('in' in c) {
    if (!Array.isArray(c.in)) throw new Error('in needs an array of values');
    const values = c.in.map(scalar).map((v) => comparable(type, v)).filter((v) => v !== undefined);
    return values.length ? { [path]: mongoose.trusted({ $in: values }) } : never();
  }
  if ('prefix' in c) {
    if (type === 'strings') throw new Error('prefix is not supported on array paths');
    if (typeof c.prefix !== 'string') throw new Error('prefix needs a string');
    if (type !== 'string') return never();
    return { [path]: mongoose.trusted({ $regex: `^${escapeRegex(c.prefix)}` }) };
  }
  throw new Error('unknown filter condition');
}

/** The filter for live documents matching `where`. */
export function liveFilter(collection: CollectionName, where: Cond | undefined): MongoFilter {
  return where ? { deleted: false, ...translateCond(collection, where) } : { deleted: false };
}

/** Sort by the given allowlisted paths, then `_id` ascending so pages are stable (the embedded `id ASC`). */
export function translateSort(collection: CollectionName, sort: ListQuery['sort']): MongoSort {
  const out: MongoSort = {};
  for (const s of sort ?? []) {
    pathType(collection, s?.path);
    if (!(s.path in out)) out[s.path] = s.dir === 'desc' ? -1 : 1;
  }
  out._id = 1;
  return out;
}

/** What the connection's `sanitizeFilter: true` does to every query filter (mutates and returns it); for tests. */
export function sanitizeFilter(filter: MongoFilter): MongoFilter {
  return mongoose.sanitizeFilter(filter);
}
