// What administrators keep for the workflow clocks: the deadlines (working days, defaults from workflows.md; newer
// national and provincial rules set other numbers) and the calendar of holidays and make-up working days (调休).

import type { CalendarRecord } from '../domain/calendar.ts';
import { BadRequestError, ConflictError, type FieldError, NotFoundError, ValidationError, fieldError } from '../domain/errors.ts';
import { REQUEST_CLOCKS, type RequestClock } from '../domain/workflow/request.ts';
import type { Store } from '../ports/store.ts';
import { defineAction } from './define.ts';
import { readQuery } from './input.ts';
import { asObject, failIf, text } from './sharing/terms.ts';

const DEADLINES_ID = 'deadlines';
const CLOCK_NAMES = Object.keys(REQUEST_CLOCKS) as RequestClock[];
const CLOCK_LABELS: Record<RequestClock, string> = { review: '审查', reply: '提供方答复', deliberation: '审议' };

/** The deadlines in force: the settings record over the spec's defaults. */
export async function deadlineDays(store: Store): Promise<Record<RequestClock, number>> {
  const stored = await store.settings.get(DEADLINES_ID);
  return { ...REQUEST_CLOCKS, ...(stored?.value ?? {}) } as Record<RequestClock, number>;
}

export const getDeadlines = defineAction({
  name: 'settings.deadlines.get',
  permission: 'signed-in',
  input: () => ({}),
  run: async (_actor, _input, ctx) => {
    const stored = await ctx.store.settings.get(DEADLINES_ID);
    return { ...(await deadlineDays(ctx.store)), version: stored?.version ?? 0, defaults: REQUEST_CLOCKS };
  },
});

export const setDeadlines = defineAction({
  name: 'settings.deadlines.set',
  permission: ['sys_admin'],
  input: (raw) => {
    const body = asObject(raw.body, [...CLOCK_NAMES, 'version']);
    const errors: FieldError[] = [];
    const value: Record<string, number> = {};
    for (const k of CLOCK_NAMES) {
      const v = body[k];
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 60) errors.push(fieldError(`/${k}`, 'range', `${CLOCK_LABELS[k]}时限应为 1 到 60 个工作日`, `${k} must be 1 to 60 working days`));
      else value[k] = v as number;
    }
    const version = body.version;
    if (version !== undefined && (!Number.isInteger(version) || (version as number) < 0)) errors.push(fieldError('/version', 'type', '版本号应为整数', 'version must be an integer'));
    failIf(errors);
    return { value, version: (version as number | undefined) ?? 0 };
  },
  run: async (actor, { value, version }, ctx) => {
    const at = ctx.now().toISOString();
    const cur = await ctx.store.settings.get(DEADLINES_ID);
    if ((cur?.version ?? 0) !== version) throw new ConflictError('时限设置已被他人修改,请刷新后再试', 'the settings changed since you read them', cur?.version);
    const saved = await ctx.audited({ action: 'settings.deadlines', outcome: 'success', detail: value }, (opts) => (cur
      ? ctx.store.settings.update(DEADLINES_ID, { ...cur, value, updatedAt: at }, cur.version, actor!, opts)
      : ctx.store.settings.create({ id: DEADLINES_ID, version: 1, value, updatedAt: at }, actor!, opts)));
    return { ...saved.value, version: saved.version, defaults: REQUEST_CLOCKS };
  },
});

/** A date in the path: malformed is a 400; well-formed but impossible (2027-02-30) is `impossible`'s to say. */
function readDate(params: Record<string, string>, impossible: () => Error): string {
  const d = params.date;
  if (typeof d !== 'string' || !/^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/.test(d)) {
    throw new BadRequestError('日期格式应为 YYYY-MM-DD', 'the date must be YYYY-MM-DD', [fieldError('/date', 'date', '日期格式应为 YYYY-MM-DD', 'the date must be YYYY-MM-DD')]);
  }
  const t = Date.parse(`${d}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) throw impossible();
  return d;
}

const noSuchDay = () => new ValidationError([fieldError('/date', 'date', '没有这一天', 'there is no such day')]);

export const listCalendar = defineAction({
  name: 'calendar.list',
  permission: 'signed-in',
  input: (raw) => {
    const q = readQuery(raw.query, { year: 'int' });
    if (q.year !== undefined && (q.year < 2000 || q.year > 2100)) throw new BadRequestError('年份应为 2000 到 2100', 'year must be 2000 to 2100', [fieldError('/query/year', 'range', '年份应为 2000 到 2100', 'year must be 2000 to 2100')]);
    return q;
  },
  run: async (_actor, q, ctx) => {
    const year = q.year ?? new Date().getUTCFullYear();
    const page = await ctx.store.calendar.list({ where: { path: 'date', prefix: `${year}-` }, sort: [{ path: 'date', dir: 'asc' }], limit: 400 });
    return { year, items: page.items };
  },
});

export const setCalendarDay = defineAction({
  name: 'calendar.set',
  permission: ['sys_admin'],
  input: (raw) => {
    const date = readDate(raw.params, noSuchDay);
    const body = asObject(raw.body, ['kind', 'name']);
    const errors: FieldError[] = [];
    if (body.kind !== 'holiday' && body.kind !== 'workday') errors.push(fieldError('/kind', 'enum', '请选择节假日或调休上班日', 'kind must be holiday or workday'));
    const name = text(body, 'name', ['名称', 'name'], errors, true, true);
    failIf(errors);
    return { date, kind: body.kind as CalendarRecord['kind'], name };
  },
  run: async (actor, { date, kind, name }, ctx) => {
    const id = `day-${date}`;
    const cur = await ctx.store.calendar.get(id);
    return ctx.audited({ action: 'calendar.set', object: date, outcome: 'success', detail: { kind, name } }, (opts) => (cur
      ? ctx.store.calendar.update(id, { ...cur, kind, name }, cur.version, actor!, opts)
      : ctx.store.calendar.create({ id, version: 1, date, kind, name }, actor!, opts)));
  },
});

export const removeCalendarDay = defineAction({
  name: 'calendar.remove',
  permission: ['sys_admin'],
  input: (raw) => ({ date: readDate(raw.params, () => new NotFoundError('calendar day')) }),
  run: async (actor, { date }, ctx) => {
    const cur = await ctx.store.calendar.get(`day-${date}`);
    if (!cur) throw new NotFoundError('calendar day');
    await ctx.audited({ action: 'calendar.remove', object: date, outcome: 'success' }, (opts) => ctx.store.calendar.remove(cur.id, cur.version, actor!, opts));
    return undefined;
  },
});
