// Deadlines of the workflow steps, in working days against the calendar in the store (workflows.md).

import { type WorkCalendar, addWorkingDays, cityDate, workCalendar } from '../../domain/calendar.ts';
import type { Deadline } from '../../domain/workflow/entities.ts';
import type { RequestClock } from '../../domain/workflow/request.ts';
import type { Store } from '../../ports/store.ts';
import { deadlineDays } from '../workflow-settings.ts';

export async function loadCalendar(store: Store): Promise<WorkCalendar> {
  const days = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.calendar.list({ offset, limit: 1000 });
    days.push(...page.items);
    if (page.items.length < 1000) break;
  }
  return workCalendar(days);
}

/** The deadline a step starts, `clock` being a deadline setting (workflow-settings.ts). */
export async function startClock(store: Store, clock: string, now: Date): Promise<Deadline> {
  const days = (await deadlineDays(store))[clock as RequestClock];
  if (days === undefined) throw new Error(`no clock setting ${clock}`);
  const since = cityDate(now);
  return { clock, days, since, due: addWorkingDays(await loadCalendar(store), since, days) };
}
