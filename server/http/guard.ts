// Structural guards on untrusted request data, applied before any action or store call:
// - operator and path keys ($gt, $where, "a.b") and prototype keys (__proto__, constructor, prototype): 400 (B1, B3);
// - nesting deeper than any real document: 400 (B11);
// - JSON endpoints that receive another content type: 415 (B12).

import type { RequestHandler } from 'express';
import { BadRequestError, fieldError } from '../domain/errors.ts';

const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function findBadKeys(value: unknown, pointer = '', depth = 0, out: { pointer: string; reason: 'key' | 'depth' }[] = []) {
  if (out.length >= 20) return out;
  if (depth > MAX_DEPTH) {
    out.push({ pointer, reason: 'depth' });
    return out;
  }
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k.startsWith('$') || k.includes('.') || FORBIDDEN_KEYS.has(k) || k.includes('\0')) out.push({ pointer: p, reason: 'key' });
      else findBadKeys((value as Record<string, unknown>)[k], p, depth + 1, out);
    }
  }
  return out;
}

export function rejectBadKeys(where: string, value: unknown): void {
  const bad = findBadKeys(value);
  if (!bad.length) return;
  throw new BadRequestError(`${where}中包含不允许的键名或嵌套过深`, `the ${where === '请求体' ? 'body' : 'query'} contains forbidden keys or nests too deeply`,
    bad.map((b) => b.reason === 'depth'
      ? fieldError(b.pointer, 'too_deep', `嵌套层级超过 ${MAX_DEPTH}`, `nesting deeper than ${MAX_DEPTH}`)
      : fieldError(b.pointer, 'forbidden_key', '键名不能以 $ 开头、含有点号或为 __proto__/constructor/prototype', 'keys may not start with $, contain dots, or be __proto__/constructor/prototype')));
}

export const guardInput: RequestHandler = (req, _res, next) => {
  rejectBadKeys('请求体', req.body);
  rejectBadKeys('查询参数', req.query);
  next();
};

/** Writes to the JSON API must say they are JSON; anything else is 415 before the body is read. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0' || req.headers['transfer-encoding'] !== undefined;
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    next(Object.assign(new Error('unsupported media type'), { status: 415 }));
    return;
  }
  next();
};
