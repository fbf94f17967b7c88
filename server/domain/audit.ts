// The audit log is a keyed hash chain: each record carries the previous record's hash, and every hash is an HMAC
// under a key kept outside the store. Editing or removing a record breaks every later link; re-hashing a rewritten
// log needs the key, which whoever can write the store does not have. Truncating the tail leaves a valid but
// shorter chain, so the head (count + hash) is checkpointed outside the store too, sealed with the same key.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './entities.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Where a chain stands: the last record's sequence number and hash (seq 0 and the genesis hash when empty). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function auditHash(key: Buffer, prevHash: string, seq: number, at: string, entry: AuditEntry): string {
  const body = JSON.stringify([seq, at, entry.actor, entry.agencyId ?? null, entry.roles ?? [], entry.action, entry.object ?? null,
    entry.outcome, entry.correlationId ?? null, entry.address ?? null, entry.clientRequestId ?? null, entry.detail ?? null]);
  return createHmac('sha256', key).update(prevHash).update(body).digest('hex');
}

/**
 * How records were hashed before the chain was keyed (issue 9): SHA-256 over the same fields but the client's
 * address and request id, which those records do not have. A store upgraded from then keeps them as a legacy prefix.
 */
export function legacyAuditHash(prevHash: string, seq: number, at: string, entry: AuditEntry): string {
  const body = JSON.stringify([seq, at, entry.actor, entry.agencyId ?? null, entry.roles ?? [], entry.action, entry.object ?? null,
    entry.outcome, entry.correlationId ?? null, entry.detail ?? null]);
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** The record that follows `prev` in a chain. */
export function chainRecord(key: Buffer, prev: ChainHead, at: string, entry: AuditEntry): AuditRecord {
  const seq = prev.seq + 1;
  return { ...entry, seq, at, prevHash: prev.hash, hash: auditHash(key, prev.hash, seq, at, entry) };
}

export interface ChainReport {
  ok: boolean;
  /** Records checked. */
  checked: number;
  /** Where the checked part of the chain ends (the start when nothing was checked). */
  head: ChainHead;
  brokenAt?: number;
  reason?: 'link' | 'hash' | 'gap';
}

/**
 * Walks `records` (in order) from `start`: each must follow the one before without a gap, link to its hash, and
 * carry the keyed hash of its own content.
 */
export async function verifyChain(records: AsyncIterable<AuditRecord>, key: Buffer, start: ChainHead = EMPTY_CHAIN, legacyUntil = 0): Promise<ChainReport> {
  let prev = start;
  let checked = 0;
  for await (const r of records) {
    const broken = (reason: ChainReport['reason']): ChainReport => ({ ok: false, checked, head: prev, brokenAt: r.seq, reason });
    if (r.seq !== prev.seq + 1) return broken('gap');
    if (r.prevHash !== prev.hash) return broken('link');
    const expected = r.seq <= legacyUntil ? legacyAuditHash(prev.hash, r.seq, r.at, r) : auditHash(key, prev.hash, r.seq, r.at, r);
    if (!sameHex(expected, r.hash)) return broken('hash');
    prev = { seq: r.seq, hash: r.hash };
    checked++;
  }
  return { ok: true, checked, head: prev };
}

/** A chain head written outside the store, sealed so that it cannot be forged or moved back without the key. */
export interface Checkpoint extends ChainHead {
  at: string;
  mac: string;
  /** Records up to here were hashed the legacy way (a store from before the keyed chain); sealed with the rest. */
  legacyUntil?: number;
}

function checkpointMac(key: Buffer, c: ChainHead & { at: string; legacyUntil?: number }): string {
  return createHmac('sha256', key).update(`audit-checkpoint\n${c.seq}\n${c.hash}\n${c.at}${c.legacyUntil ? `\nlegacy ${c.legacyUntil}` : ''}`).digest('hex');
}

export function sealCheckpoint(key: Buffer, head: ChainHead, at: string, legacyUntil?: number): Checkpoint {
  return { seq: head.seq, hash: head.hash, at, ...(legacyUntil ? { legacyUntil } : {}), mac: checkpointMac(key, { ...head, at, legacyUntil }) };
}

export function checkpointSealed(key: Buffer, c: Checkpoint): boolean {
  return Number.isSafeInteger(c.seq) && c.seq >= 0 && typeof c.hash === 'string' && typeof c.at === 'string' && typeof c.mac === 'string'
    && sameHex(checkpointMac(key, c), c.mac);
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(typeof b === 'string' ? b : '', 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
