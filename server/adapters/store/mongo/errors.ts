// Driver and mongoose errors → domain errors: an unreachable server is UnavailableError (503, fail fast), a
// duplicate key is UniqueViolation naming the key paths like the embedded adapter; domain errors pass through.

import { ConflictError, NotFoundError, UnavailableError, UniqueViolation } from '../../../domain/errors.ts';
import type { CollectionName } from '../../../ports/store.ts';
import { uniqueIndexKeys } from './paths.ts';

const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError',
  'MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoClientClosedError', 'MongoServerClosedError',
  'MongoPoolClearedError', 'MongoPoolClosedError', 'MongoWaitQueueTimeoutError',
]);

/** Server codes meaning "no usable primary right now" (shutdown, step-down, network). */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Mongoose's own errors when the connection is not open and buffering is off. */
const NOT_OPEN = /before initial connection is complete|Connection was force closed|Connection .*closed/i;

interface MaybeMongoError {
  name?: string;
  code?: unknown;
  message?: string;
  cause?: unknown;
  keyPattern?: Record<string, unknown>;
  writeErrors?: unknown;
}

function asObj(e: unknown): MaybeMongoError {
  return e && typeof e === 'object' ? (e as MaybeMongoError) : {};
}

export function isUnavailable(e: unknown, depth = 0): boolean {
  const x = asObj(e);
  if (x.name && UNAVAILABLE_NAMES.has(x.name)) return true;
  if (typeof x.code === 'number' && UNAVAILABLE_CODES.has(x.code)) return true;
  if (x.name === 'MongooseError' && NOT_OPEN.test(x.message ?? '')) return true;
  return depth < 3 && x.cause !== undefined && isUnavailable(x.cause, depth + 1);
}

function writeErrors(x: MaybeMongoError): MaybeMongoError[] {
  const w = x.writeErrors;
  return (Array.isArray(w) ? w : w ? [w] : []).map(asObj);
}

export function isDuplicateKey(e: unknown): boolean {
  const x = asObj(e);
  return x.code === 11000 || writeErrors(x).some((w) => w.code === 11000);
}

/** The key paths of the index a duplicate-key error names: ['code'], ['provider.agencyId', 'nameKey'], ['resources.id']. */
export function duplicateKeys(e: unknown, collection: CollectionName): string[] {
  const x = asObj(e);
  const first = writeErrors(x).find((w) => w.code === 11000);
  const messages = [x.message, first?.message, (first as { errmsg?: string } | undefined)?.errmsg].filter((m): m is string => !!m);
  const byIndex = uniqueIndexKeys(collection);
  for (const m of messages) {
    const index = /index: (\S+) dup key/.exec(m)?.[1];
    if (index === '_id_') return [`${collection}.id`];
    if (index && byIndex.has(index)) return byIndex.get(index)!;
  }
  const pattern = x.keyPattern ?? asObj((first as { err?: unknown } | undefined)?.err).keyPattern;
  if (pattern) return Object.keys(pattern).map((k) => (k === '_id' ? `${collection}.id` : k));
  return [`${collection}.unknown`];
}

export function mapMongoError(e: unknown, collection?: CollectionName): unknown {
  if (e instanceof ConflictError || e instanceof NotFoundError || e instanceof UnavailableError) return e;
  if (isUnavailable(e)) return new UnavailableError('MongoDB is unavailable', { cause: e });
  if (collection && isDuplicateKey(e)) return new UniqueViolation(duplicateKeys(e, collection));
  return e;
}

/** Runs a store operation, translating what it throws. */
export async function guarded<R>(fn: () => Promise<R>, collection?: CollectionName): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    throw mapMongoError(e, collection);
  }
}
