// Numbers of the workflow's documents and records (申请 SQ…, 联系单 LXD…, 任务书 RWS…, 授权 GR…, 批次 PC…): per series
// and year, e.g. LXD2026-000012. They come from the store's never-reused sequences, under names that no
// classification code (all digits) can take.

import { cityDate } from '../domain/calendar.ts';
import type { Store } from '../ports/store.ts';

export type NumberSeries = 'SQ' | 'LXD' | 'RWS' | 'GR' | 'PC';

export async function nextNumber(store: Store, series: NumberSeries, now: Date): Promise<string> {
  const year = cityDate(now).slice(0, 4);
  const n = await store.resources.nextSequence(`${series}-${year}`);
  return `${series}${year}-${String(n).padStart(6, '0')}`;
}
