// Published entries must stay current (workflows.md A): an entry whose update cycle has lapsed since it was last
// changed or confirmed current is stale, and its provider is told on its dashboard.

import type { Resource } from './resource.ts';
import type { UpdateCycle } from './vocab.ts';

/** Days a cycle allows, with a margin for the day the update is published; undefined: no fixed cycle. */
const CYCLE_DAYS: Partial<Record<UpdateCycle, number>> = { 实时: 2, 每日: 2, 每周: 8, 每月: 32, 每季度: 93, 每半年: 184, 每年: 367 };

/** When the entry was last known current: the later of its last change and the steward's confirmation. */
export function lastCurrent(r: Pick<Resource, 'updatedAt' | 'currentAsOf'>): string {
  return r.currentAsOf && r.currentAsOf > r.updatedAt ? r.currentAsOf : r.updatedAt;
}

/** Days overdue (0 when current or when the cycle is not fixed). */
export function staleDays(r: Pick<Resource, 'status' | 'updateCycle' | 'updatedAt' | 'currentAsOf'>, now: Date): number {
  const days = CYCLE_DAYS[r.updateCycle];
  if (r.status !== 'published' || days === undefined) return 0;
  const age = (now.getTime() - Date.parse(lastCurrent(r))) / 86_400_000;
  return age > days ? Math.floor(age - days) : 0;
}
