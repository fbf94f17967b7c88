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

/**
 * Server codes meaning "cannot do it right now": no usable primary (shutdown, step-down, network), a write concern
 * or time limit not met (50, 64, 262), the disk full (14031, OutOfDiskSpace).
 */
const UNAVAILABLE_CODES = new Set([6, 7, 50, 64, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 14031]);

/** Mongoose's own errors when the connection is not open and buffering is off. */
const NOT_OPEN = /before initial connection is complete|Connection was force closed|Connection .*closed/i;

interface MaybeMongoError {
  name?: string;
  code?: unknown;
  message?: string;
  cause?: unknown;
  keyPattern?: Record<string, unknown>;
  writeErrors?: unknown;
  errorLabels?: unknown;
  errorLabelSet?: unknown;
  hasErrorLabel?: (label: string) => boolean;
}

/** WriteConflict and NoSuchTransaction: another transaction got there first, or ours was aborted under us. */
const TRANSIENT_CODES = new Set([112, 251]);

function hasLabel(e: unknown, label: string): boolean {
  const x = asObj(e);
  if (typeof x.hasErrorLabel === 'function') {
    try {
      if (x.hasErrorLabel(label)) return true;
    } catch {
      // not a driver error after all
    }
  }
  const labels = x.errorLabels ?? x.errorLabelSet;
  return (Array.isArray(labels) || labels instanceof Set) && [...labels].includes(label);
}

/** A transaction that lost a race: run it again (after a pause), it may well succeed. */
export function isTransient(e: unknown, depth = 0): boolean {
  const x = asObj(e);
  if (hasLabel(e, 'TransientTransactionError')) return true;
  if (typeof x.code === 'number' && TRANSIENT_CODES.has(x.code)) return true;
  return depth < 3 && x.cause !== undefined && isTransient(x.cause, depth + 1);
}

/** The commit may or may not have happened: committing again is safe and tells. */
export function isUnknownCommitResult(e: unknown): boolean {
  return hasLabel(e, 'UnknownTransactionCommitResult');
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
  // Contention that outlived its retries (or hit an operation outside a retried transaction) is "busy", not a bug.
  if (isTransient(e)) return new UnavailableError('MongoDB write conflict', { cause: e, zh: '目录存储繁忙,请稍后重试', en: 'the catalog store is busy; try again shortly', retryAfterSeconds: 1 });
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
