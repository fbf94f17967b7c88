// Reading what an applicant states (workflows.md B, the draft row) and what an actor writes with a step. Every
// problem is reported at once with its field (422), in Chinese and English, before anything is stored.

import { BadRequestError, type FieldError, ValidationError, fieldError } from '../../domain/errors.ts';
import { TEXT_PROBLEM_MESSAGES, hasLineBreak } from '../../domain/plain-text.ts';
import type { RequestTerms } from '../../domain/workflow/entities.ts';

const TEXT_MAX = 2000;
/** A grant longer than this is a standing arrangement, not "a period of use": it must be renewed. */
export const MAX_PERIOD_DAYS = 3 * 366;

export const TERM_LABELS: Record<keyof RequestTerms, [string, string]> = {
  purpose: ['用途', 'purpose'], scope: ['使用范围', 'scope of use'], facilities: ['技术设施', 'technical facilities'],
  security: ['安全保障措施', 'security measures'], basis: ['法律依据或履职需要', 'legal basis or duty'],
  startsOn: ['使用期限起', 'start of the period'], endsOn: ['使用期限止', 'end of the period'],
};

/** The body as an object; with `fields`, any other key is refused (422), so a typo is never silently dropped. */
export function asObject(body: unknown, fields?: readonly string[]): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('请求体应为 JSON 对象', 'the body must be a JSON object');
  if (fields) {
    const unknown = Object.keys(body).filter((k) => !fields.includes(k));
    if (unknown.length) throw new ValidationError(unknown.map((k) => fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`)));
  }
  return body as Record<string, unknown>;
}

/** Free text of a request or a step: several lines allowed unless `singleLine` (a name, a recipient). */
export function text(o: Record<string, unknown>, key: string, label: [string, string], errors: FieldError[], required = true, singleLine = false): string {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) errors.push(fieldError(`/${key}`, 'required', `请填写${label[0]}`, `${label[1]} is required`));
    return '';
  }
  if (typeof v !== 'string') {
    errors.push(fieldError(`/${key}`, 'type', `${label[0]}应为文字`, `${label[1]} must be text`));
    return '';
  }
  const t = v.trim();
  if (required && !t) errors.push(fieldError(`/${key}`, 'required', `请填写${label[0]}`, `${label[1]} is required`));
  if ([...t].length > TEXT_MAX) errors.push(fieldError(`/${key}`, 'too_long', `${label[0]}不能超过 ${TEXT_MAX} 字`, `${label[1]} is longer than ${TEXT_MAX} characters`));
  if (singleLine && hasLineBreak(t)) errors.push(fieldError(`/${key}`, 'line_break', `${label[0]}${TEXT_PROBLEM_MESSAGES.line_break.zh}`, `${label[1]} ${TEXT_PROBLEM_MESSAGES.line_break.en}`));
  return t;
}

function date(o: Record<string, unknown>, key: 'startsOn' | 'endsOn', errors: FieldError[]): string {
  const label = TERM_LABELS[key];
  const v = text(o, key, label, errors);
  if (v && (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v)) {
    errors.push(fieldError(`/${key}`, 'date', `${label[0]}应为日期(YYYY-MM-DD)`, `${label[1]} must be a date (YYYY-MM-DD)`));
    return '';
  }
  return v;
}

/** The terms of use, checked together: every field, and a period that starts today or later and is bounded. */
export function readTerms(o: Record<string, unknown>, today: string, errors: FieldError[], only?: readonly (keyof RequestTerms)[]): RequestTerms {
  const want = (k: keyof RequestTerms) => !only || only.includes(k);
  const t: RequestTerms = {
    purpose: want('purpose') ? text(o, 'purpose', TERM_LABELS.purpose, errors) : '',
    scope: want('scope') ? text(o, 'scope', TERM_LABELS.scope, errors) : '',
    facilities: want('facilities') ? text(o, 'facilities', TERM_LABELS.facilities, errors) : '',
    security: want('security') ? text(o, 'security', TERM_LABELS.security, errors) : '',
    basis: want('basis') ? text(o, 'basis', TERM_LABELS.basis, errors) : '',
    startsOn: date(o, 'startsOn', errors),
    endsOn: date(o, 'endsOn', errors),
  };
  if (t.startsOn && t.startsOn < today) errors.push(fieldError('/startsOn', 'past', '使用期限不能早于今天', 'the period cannot start in the past'));
  if (t.startsOn && t.endsOn) {
    const days = (Date.parse(t.endsOn) - Date.parse(t.startsOn)) / 86_400_000;
    if (days < 0) errors.push(fieldError('/endsOn', 'order', '使用期限止不能早于起', 'the period must end after it starts'));
    else if (days > MAX_PERIOD_DAYS) errors.push(fieldError('/endsOn', 'too_long', '使用期限最长三年,到期可重新申请', 'a period of use is at most three years; apply again after it'));
  }
  return t;
}

export interface WantedResource {
  code: string;
  items: string[];
}

/** `resources: [{ code, items: [...] }]`, 1 to 20 entries, each code once. */
export function readWanted(o: Record<string, unknown>, errors: FieldError[]): WantedResource[] {
  const raw = o.resources;
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push(fieldError('/resources', 'required', '请至少选择一项信息资源', 'name at least one resource'));
    return [];
  }
  if (raw.length > 20) {
    errors.push(fieldError('/resources', 'too_many', '一次申请最多 20 项信息资源', 'at most 20 resources per request'));
    return [];
  }
  const out: WantedResource[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const extra = r && typeof r === 'object' ? Object.keys(r).filter((k) => k !== 'code' && k !== 'items') : [];
    for (const k of extra) errors.push(fieldError(`/resources/${i}/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
    const code = r && typeof r === 'object' ? (r as { code?: unknown }).code : undefined;
    const items = r && typeof r === 'object' ? (r as { items?: unknown }).items ?? [] : undefined;
    if (typeof code !== 'string' || !code || code.length > 40) {
      errors.push(fieldError(`/resources/${i}/code`, 'required', '请给出资源代码', 'a resource code is required'));
      return;
    }
    if (seen.has(code)) errors.push(fieldError(`/resources/${i}/code`, 'duplicate', '同一资源只需列一次', 'each resource once'));
    seen.add(code);
    if (!Array.isArray(items) || items.some((x) => typeof x !== 'string' || !x.trim() || x.length > 100 || hasLineBreak(x)) || items.length > 500) {
      errors.push(fieldError(`/resources/${i}/items`, 'type', '信息项应为名称列表', 'items must be a list of data item names'));
      return;
    }
    out.push({ code, items: [...new Set(items.map((x: string) => x.trim()))] });
  });
  return out;
}

export function failIf(errors: FieldError[]): void {
  if (errors.length) throw new ValidationError(errors);
}

/** The version of the record the person read, which a write must still find (409 otherwise). */
export function readVersion(body: Record<string, unknown>, errors: FieldError[]): number {
  const v = body.version;
  if (!Number.isInteger(v) || (v as number) < 1) errors.push(fieldError('/version', 'required', '需要读取时的版本号', 'the version you read is required'));
  return v as number;
}
