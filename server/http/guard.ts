// Structural guards on untrusted request data, applied before any action or store call:
// - operator and path keys ($gt, $where, "a.b") and prototype keys (__proto__, constructor, prototype): 400 (B1, B3);
// - nesting deeper than any real document: 400 (B11);
// - control characters, bidi overrides and lone surrogates in any key or text of a body, and bodies or query strings
//   that are not valid UTF-8: 400 (B21), so nothing of the kind is stored, indexed or logged. (Query text is not
//   stored: search folds such characters away and answers, B5.)
// - JSON endpoints that receive another content type: 415 (B12).

import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { BadRequestError, fieldError } from '../domain/errors.ts';
import { TEXT_PROBLEM_MESSAGES, type TextProblem, textProblem } from '../domain/plain-text.ts';

const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Bad = { pointer: string; reason: 'key' | 'depth' | TextProblem };

export function findBadKeys(value: unknown, pointer = '', depth = 0, out: Bad[] = [], text = true): Bad[] {
  if (out.length >= 20) return out;
  if (depth > MAX_DEPTH) {
    out.push({ pointer, reason: 'depth' });
    return out;
  }
  if (typeof value === 'string') {
    if (!text) return out;
    const problem = textProblem(value);
    if (problem) out.push({ pointer: pointer || '/', reason: problem });
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k.startsWith('$') || k.includes('.') || FORBIDDEN_KEYS.has(k) || textProblem(k)) out.push({ pointer: p.isWellFormed() ? p : `${pointer}/?`, reason: 'key' });
      else findBadKeys((value as Record<string, unknown>)[k], p, depth + 1, out, text);
    }
  }
  return out;
}

export function rejectBadKeys(where: string, value: unknown, text = true): void {
  const bad = findBadKeys(value, '', 0, [], text);
  if (!bad.length) return;
  throw new BadRequestError(`${where}中包含不允许的键名、字符或嵌套过深`, `the ${where === '请求体' ? 'body' : 'query'} contains forbidden keys or characters, or nests too deeply`,
    bad.map((b) => b.reason === 'depth'
      ? fieldError(b.pointer, 'too_deep', `嵌套层级超过 ${MAX_DEPTH}`, `nesting deeper than ${MAX_DEPTH}`)
      : b.reason === 'key'
        ? fieldError(b.pointer, 'forbidden_key', '键名不能以 $ 开头、含有点号或控制字符,或为 __proto__/constructor/prototype', 'keys may not start with $, contain dots or control characters, or be __proto__/constructor/prototype')
        : fieldError(b.pointer, b.reason, TEXT_PROBLEM_MESSAGES[b.reason].zh, TEXT_PROBLEM_MESSAGES[b.reason].en)));
}

/** body-parser's `verify`: a body that is not valid UTF-8 is refused before it is decoded (with U+FFFD in its place). */
export function requireUtf8(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) throw Object.assign(new BadRequestError('请求内容不是有效的 UTF-8 文本', 'the request body is not valid UTF-8'), { status: 400, expose: true });
}

/**
 * The raw query string must decode as UTF-8 (the parser would turn bad bytes into U+FFFD silently).
 * decodeURIComponent refuses exactly that; a stray '%' that escapes nothing is left to the parser, as before.
 */
function queryIsUtf8(url: string): boolean {
  const q = url.indexOf('?');
  if (q === -1) return true;
  try {
    decodeURIComponent(url.slice(q + 1).replace(/%(?![0-9a-f]{2})/gi, '%25'));
    return true;
  } catch {
    return false;
  }
}

export const guardInput: RequestHandler = (req, _res, next) => {
  if (!queryIsUtf8(req.originalUrl)) throw new BadRequestError('查询参数不是有效的 UTF-8 文本', 'the query string is not valid UTF-8');
  rejectBadKeys('请求体', req.body);
  rejectBadKeys('查询参数', req.query, false);
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
