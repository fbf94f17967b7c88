// Working-day clocks (workflows.md): deadlines count working days against a calendar administrators keep.
// Weekends are days off unless declared make-up working days (调休上班); public holidays are days off whatever the
// weekday. Dates are calendar days in the city's time zone (Asia/Shanghai, UTC+8 all year), written YYYY-MM-DD.

export type DayKind = 'holiday' | 'workday';

/** One administrator-maintained day that differs from the weekday rule. */
export interface CalendarDay {
  date: string;
  kind: DayKind;
  /** What the day is (国庆节, 国庆调休). */
  name: string;
}

/** A calendar day as the store keeps it (one record per date). */
export interface CalendarRecord extends CalendarDay {
  id: string;
  version: number;
}

export interface WorkCalendar {
  /** Overrides by date; absent dates follow the rule "Monday to Friday work". */
  days: ReadonlyMap<string, DayKind>;
}

export function workCalendar(days: Iterable<Pick<CalendarDay, 'date' | 'kind'>>): WorkCalendar {
  return { days: new Map([...days].map((d) => [d.date, d.kind])) };
}

const CITY_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The city's calendar date of an instant. */
export function cityDate(at: Date): string {
  return new Date(at.getTime() + CITY_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as the city reads it, to the minute: "2026-11-30 17:04". */
export function cityDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t + CITY_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(cal: WorkCalendar, date: string): boolean {
  const kind = cal.days.get(date);
  if (kind) return kind === 'workday';
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The date by which something started at `from` is due, `n` working days later: the day of the start does not
 * count (a sheet issued on Friday with 1 working day is due on Monday), and the deadline is the end of that day.
 */
export function addWorkingDays(cal: WorkCalendar, from: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('working days must be a whole number of at least 0');
  let date = from;
  // A calendar can at worst make every day a holiday; ten years of look-ahead is a bug, not a long holiday.
  for (let left = n, guard = 0; left > 0; guard++) {
    if (guard > 3660) throw new RangeError('no working day found within ten years');
    date = addDays(date, 1);
    if (isWorkingDay(cal, date)) left--;
  }
  return date;
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(cal: WorkCalendar, from: string, to: string): number {
  let n = 0;
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) if (isWorkingDay(cal, date)) n++;
  return n;
}

/** Whether a deadline (a due date, end of day in the city) has passed at `now`. */
export function isOverdue(dueDate: string, now: Date): boolean {
  return cityDate(now) > dueDate;
}
