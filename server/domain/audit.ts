// The audit log is hash-chained: each record carries the previous record's hash, so removing or editing one
// breaks every later link and `verifyChain` finds where.

import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './entities.ts';

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, seq: number, at: string, entry: AuditEntry): string {
  const body = JSON.stringify([seq, at, entry.actor, entry.agencyId ?? null, entry.roles ?? [], entry.action, entry.object ?? null,
    entry.outcome, entry.correlationId ?? null, entry.detail ?? null]);
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export async function verifyChain(records: AsyncIterable<AuditRecord>): Promise<{ ok: boolean; checked: number; brokenAt?: number }> {
  let prev = GENESIS_HASH;
  let checked = 0;
  for await (const r of records) {
    if (r.prevHash !== prev || auditHash(prev, r.seq, r.at, r) !== r.hash) return { ok: false, checked, brokenAt: r.seq };
    prev = r.hash;
    checked++;
  }
  return { ok: true, checked };
}
