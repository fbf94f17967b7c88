// Idempotency-Key on POSTs (issue 4; the IETF draft's semantics): a retried POST with the same key and the same
// body gets the first answer again instead of being applied twice; the same key with another body is refused (422);
// a retry while the first is still running is refused (409). Keys are per account, kept 24 hours.

import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, ValidationError, fieldError } from '../domain/errors.ts';
import type { Actor } from '../domain/roles.ts';
import type { Store } from '../ports/store.ts';

const KEPT_MS = 24 * 3600_000;
/** A request still pending after this long died (a crash, a store that failed after the write): its outcome is unknown. */
const LEASE_MS = 2 * 60_000;

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function readIdempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const v = headers['idempotency-key'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(v)) {
    throw new BadRequestError('Idempotency-Key 应为 1 到 200 个可见 ASCII 字符', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  return v;
}

/** The record of one account's key on one route ("post /api/v1/requests"). */
export function idempotencyId(userId: string, route: string, key: string): string {
  return `idem-${sha(`${userId}\n${route}\n${key}`).slice(0, 40)}`;
}

export interface Replay {
  status: number;
  body: unknown;
}

/**
 * Runs `write` once per (account, route, key). `write` answers with the status and body to send. A request that
 * fails (it throws: 4xx or 5xx) forgets its key, so the client may retry after fixing it; an anonymous request
 * never stores one (anonymous POSTs are sign-in forms, and keys are per account). An answer that carries a secret
 * shown once (an API token) is not kept (`keepAnswer: false`): a retry is told it was done, not given the secret.
 */
export async function onceByKey(
  store: Store, actor: Actor | undefined, route: string, key: string, body: unknown, now: Date, write: () => Promise<Replay>, opts: { keepAnswer?: boolean } = {},
): Promise<Replay> {
  if (!actor) return write();
  const id = idempotencyId(actor.userId, route, key);
  const fingerprint = sha(JSON.stringify(body ?? null));
  const seen = await store.idempotency.claim({ id, fingerprint, state: 'pending', createdAt: now.toISOString() }, new Date(now.getTime() - KEPT_MS).toISOString());
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      throw new ValidationError([fieldError('/', 'idempotency_key_reused', '同一 Idempotency-Key 已用于另一请求', 'this Idempotency-Key was used for a different request')]);
    }
    if (seen.state === 'pending' && Date.parse(seen.createdAt) > now.getTime() - LEASE_MS) {
      throw new ConflictError('相同请求正在处理中', 'a request with this Idempotency-Key is still in progress');
    }
    if (seen.state === 'pending') {
      throw new ConflictError('使用该 Idempotency-Key 的请求结果未知,请先查看是否已办理,再换用新的 Idempotency-Key 重试',
        'the outcome of the request with this Idempotency-Key is unknown: check whether it was done, then retry with a new key');
    }
    if (seen.body === undefined && seen.status !== 204) {
      throw new ConflictError('该请求已办理;答复中的密钥只显示一次,不再重复显示', 'this request was done; its answer held a secret that is shown only once');
    }
    return { status: seen.status!, body: seen.body === undefined ? undefined : JSON.parse(seen.body) };
  }
  let answer: Replay;
  try {
    answer = await write();
  } catch (e) {
    await store.idempotency.forget(id).catch(() => {});
    throw e;
  }
  const kept = answer.body === undefined || opts.keepAnswer === false ? undefined : JSON.stringify(answer.body);
  // The change is made: recording its answer is retried once, and a failure then only leaves the key pending (its
  // retries are told the outcome is unknown), never fails the request that succeeded.
  await store.idempotency.finish(id, answer.status, kept).catch(() => store.idempotency.finish(id, answer.status, kept)).catch(() => {});
  return answer;
}

/** Keys older than a day are forgotten (run with the other clocks, hourly). */
export function pruneIdempotency(store: Store, now: Date): Promise<number> {
  return store.idempotency.prune(new Date(now.getTime() - KEPT_MS).toISOString());
}
