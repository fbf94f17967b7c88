// Readers for the untrusted parts of a request other than the catalog record: query strings, ids, versions.
// Anything that is not exactly the expected scalar is a 400, before any store call (B1, B2).

import { BadRequestError, fieldError } from '../domain/errors.ts';

type Spec = 'string' | 'int' | 'bool' | readonly string[];
type Out<S> = S extends 'int' ? number : S extends 'bool' ? boolean : S extends readonly (infer E)[] ? E : string;

export function readQuery<T extends Record<string, Spec>>(query: Record<string, unknown>, spec: T): { [K in keyof T]?: Out<T[K]> } {
  const out: Record<string, unknown> = {};
  const errors = [];
  for (const [k, v] of Object.entries(query)) {
    const s = spec[k];
    const p = `/query/${k}`;
    if (!s) {
      errors.push(fieldError(p, 'unknown_parameter', `不支持的查询参数 ${k}`, `unknown query parameter ${k}`));
      continue;
    }
    if (typeof v !== 'string') {
      errors.push(fieldError(p, 'not_scalar', `查询参数 ${k} 只能出现一次且为单个值`, `query parameter ${k} must be given once, as a single value`));
      continue;
    }
    if (v.length > 200) {
      errors.push(fieldError(p, 'too_long', `查询参数 ${k} 过长`, `query parameter ${k} is too long`));
      continue;
    }
    if (s === 'int') {
      if (!/^\d{1,9}$/.test(v)) errors.push(fieldError(p, 'integer', `查询参数 ${k} 应为非负整数`, `${k} must be a non-negative integer`));
      else out[k] = Number(v);
    } else if (s === 'bool') {
      if (v !== 'true' && v !== 'false') errors.push(fieldError(p, 'boolean', `查询参数 ${k} 应为 true 或 false`, `${k} must be true or false`));
      else out[k] = v === 'true';
    } else if (Array.isArray(s)) {
      if (!s.includes(v)) errors.push(fieldError(p, 'enum', `查询参数 ${k} 应为:${s.join('、')}`, `${k} must be one of ${s.join(', ')}`));
      else out[k] = v;
    } else {
      out[k] = v;
    }
  }
  if (errors.length) throw new BadRequestError('查询参数有误', 'invalid query parameters', errors);
  return out as { [K in keyof T]?: Out<T[K]> };
}

/** The version a write was based on: If-Match ("3" or W/"3"), or `version` in the body or query. */
export function readExpectedVersion(headers: Record<string, string | string[] | undefined>, body: unknown, query: Record<string, unknown>): number {
  const header = headers['if-match'];
  const fromHeader = typeof header === 'string' ? /^(?:W\/)?"?(\d+)"?$/.exec(header.trim())?.[1] : undefined;
  const fromBody = body && typeof body === 'object' && 'version' in body ? (body as { version: unknown }).version : undefined;
  const raw = fromHeader ?? fromBody ?? query.version;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new BadRequestError('缺少版本号:请在 If-Match 头或 version 字段中给出读取时的版本', 'missing version: send the version you read as If-Match or `version`',
      [fieldError('/version', 'required', '需要版本号', 'version is required')]);
  }
  return n;
}

export function readId(params: Record<string, string>, name = 'id'): string {
  const v = params[name];
  if (typeof v !== 'string' || !/^[\w.:-]{1,64}$/.test(v)) throw new BadRequestError('标识符格式不正确', 'malformed identifier');
  return v;
}

export const MAX_OFFSET = 1_000_000;

/** Paging as the API documents it: a limit of 1 to `maxLimit`, an offset up to a million; anything else is a 400. */
export function paging(q: { offset?: number; limit?: number }, maxLimit = 100): { offset: number; limit: number } {
  const errors = [];
  if (q.limit !== undefined && (q.limit < 1 || q.limit > maxLimit)) errors.push(fieldError('/query/limit', 'range', `每页条数应为 1 到 ${maxLimit}`, `limit must be 1 to ${maxLimit}`));
  if (q.offset !== undefined && q.offset > MAX_OFFSET) errors.push(fieldError('/query/offset', 'range', `偏移量不能超过 ${MAX_OFFSET}`, `offset must be at most ${MAX_OFFSET}`));
  if (errors.length) throw new BadRequestError('查询参数有误', 'invalid query parameters', errors);
  return { offset: q.offset ?? 0, limit: q.limit ?? 20 };
}
