// Structured logs through pino: one JSON object per line and per event (B17: CR/LF or ANSI escapes in user input
// are JSON-escaped, so they cannot forge or split a line; long strings are cut). Every line written while a request
// is handled carries that request's correlation id (an AsyncLocalStorage set by the first middleware), so one id
// finds all of a request's lines. Secrets and personal data are redacted by field name (passwords, tokens,
// cookies, contacts, at any depth) and by shape inside any string (credentials in URLs, bearer tokens, 身份证号, mobile numbers).

import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The request a piece of work belongs to; read by every log line written meanwhile. */
export const requestScope = new AsyncLocalStorage<{ correlationId: string }>();

const CENSOR = '[已隐去]';

/**
 * Field names whose values are never logged, whatever their case or prefix (apiToken, x-api-key, Set-Cookie,
 * passwordHash), at any depth: the walk below censors them before pino sees the event (pino's path-based `redact`
 * would only repeat it, for fixed paths).
 */
const SECRET_FIELD = /(pass(word)?(hash)?|token|secret|(api|audit)?[-_]?key|cookie|authorization|phone|mobile|email|contact|id[-_]?(number|card)|hash)$/i;
const MAX_DEPTH = 4;

/** Secrets and personal data written inside free text (an error message, a query) rather than under a field name. */
const IN_TEXT: [RegExp, string][] = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, `$1${CENSOR}@`], // user:password@ in URLs (a MongoDB URI in an error)
  [/\b(Bearer\s+)[\w.~+/-]+=*/gi, `$1${CENSOR}`],
  [/\bgov_[0-9a-f-]{36}\.[\w-]+/g, CENSOR], // our API tokens
  [/(?<!\d)\d{17}[\dXx](?!\d)/g, CENSOR], // 公民身份号码
  [/(?<!\d)1[3-9]\d{9}(?!\d)/g, CENSOR], // mobile numbers
];

/** Patterns first, then the cut: a number cut in half at the end would escape its pattern. */
function scrub(s: string): string {
  let out = s.length > 4000 ? s.slice(0, 4000) : s;
  for (const [re, by] of IN_TEXT) out = out.replace(re, by);
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

function clip(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return scrub(v);
  if (v instanceof Error) return { name: v.name, message: scrub(v.message), stack: v.stack ? scrub(v.stack.split('\n').slice(0, 6).join('\n')) : undefined };
  if (v && typeof v === 'object') {
    // Deeper than any event needs: said, not shown (it could hold anything).
    if (depth >= MAX_DEPTH) return '[…]';
    if (Array.isArray(v)) return v.slice(0, 50).map((x) => clip(x, depth + 1));
    return Object.fromEntries(Object.entries(v).slice(0, 50).map(([k, x]) => [k, SECRET_FIELD.test(k) ? CENSOR : clip(x, depth + 1)]));
  }
  return v;
}

export function createLogger(level: Level = 'info', write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const p = pino({
    level,
    base: null,
    messageKey: 'msg',
    timestamp: () => `,"t":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { correlationId: scope.correlationId } : {};
    },
  }, { write });
  const at = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (!p.isLevelEnabled(lvl)) return;
    p[lvl](clip(fields) as Record<string, unknown>, scrub(msg));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
