// Errors leave the server as RFC 9457 problem details (JSON) or a Chinese error page (HTML). Internal errors
// show a generic message and a correlation id, never a stack, a query or an index name (B20).

import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, Response } from 'express';
import {
  BadRequestError, ConflictError, type FieldError, ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError, UnavailableError, ValidationError,
} from '../domain/errors.ts';
import type { Logger } from '../log.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  title_zh: string;
  detail_zh: string;
  correlationId: string;
  errors?: FieldError[];
  currentVersion?: number;
  /** Seconds, for 503 and 429; also sent as Retry-After. */
  retryAfter?: number;
}

const T = (slug: string) => `https://catalog.gov.example/problems/${slug}`;

export function toProblem(err: unknown, correlationId: string): Problem {
  const base = (status: number, slug: string, title: string, titleZh: string, detail: string, detailZh: string): Problem =>
    ({ type: T(slug), title, status, detail, title_zh: titleZh, detail_zh: detailZh, correlationId });
  if (err instanceof ValidationError) {
    return { ...base(422, 'validation', 'Unprocessable content', '内容有误', `${err.errors.length} field(s) need attention`, `有 ${err.errors.length} 处需要修改`), errors: err.errors };
  }
  if (err instanceof BadRequestError) return { ...base(400, 'bad-request', 'Bad request', '请求有误', err.en, err.zh), ...(err.errors.length ? { errors: err.errors } : {}) };
  if (err instanceof UnauthenticatedError) return base(401, 'unauthenticated', 'Unauthenticated', '未登录', 'sign in or send a valid API token', '请先登录或提供有效的 API 令牌');
  if (err instanceof ForbiddenError) return base(403, 'forbidden', 'Forbidden', '无权操作', err.en, err.zh);
  if (err instanceof NotFoundError) return base(404, 'not-found', 'Not found', '未找到', 'no such record', '记录不存在');
  if (err instanceof ConflictError) {
    return { ...base(409, 'conflict', 'Conflict', '冲突', err.en, err.zh), ...(err.currentVersion !== undefined ? { currentVersion: err.currentVersion } : {}) };
  }
  if (err instanceof UnavailableError) {
    return { ...base(503, 'unavailable', 'Service unavailable', '服务暂不可用', err.en ?? 'the catalog store is unavailable; try again shortly', err.zh ?? '目录存储暂不可用,请稍后重试'), retryAfter: err.retryAfterSeconds };
  }
  if (err instanceof RateLimitedError) return { ...base(429, 'rate-limited', 'Too many requests', '请求过于频繁', err.en, err.zh), retryAfter: err.retryAfterSeconds };
  const status = clientStatus(err);
  // Errors raised by body-parser, serve-static and friends carry a status; keep the status, never their message.
  if (status === 413) return base(413, 'too-large', 'Content too large', '请求过大', 'the request body is too large', '请求内容过大');
  if (status === 415) return base(415, 'unsupported-media-type', 'Unsupported media type', '不支持的内容类型', 'send application/json', '请使用 application/json');
  if (status === 400) return base(400, 'bad-request', 'Bad request', '请求有误', 'the request body could not be read', '无法解析请求内容');
  if (status === 403) return base(403, 'forbidden', 'Forbidden', '无权操作', 'the request was refused', '请求被拒绝');
  if (status === 416) return base(416, 'range-not-satisfiable', 'Range not satisfiable', '请求的范围无效', 'the requested range is outside the file', '请求的内容范围超出文件大小');
  if (status === 405) return base(405, 'method-not-allowed', 'Method not allowed', '不支持的请求方法', 'this path does not take this method; see Allow', '该地址不支持此请求方法');
  if (status === 412) return base(412, 'precondition-failed', 'Precondition failed', '前提条件不满足', 'the file changed since the version you name', '文件已变化,与请求中的条件不符');
  if (status !== undefined) return base(status, 'client-error', STATUS_CODES[status] ?? 'Client error', '请求无法处理', 'the request cannot be processed', '请求无法处理');
  return base(500, 'internal', 'Internal error', '系统内部错误', 'an unexpected error occurred; quote the correlation id when reporting it', '系统发生意外错误,请联系管理员并提供关联编号');
}

/** The 4xx status a library error carries (http-errors' `status` with `expose`), or undefined for anything else. */
function clientStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown } | undefined;
  const status = e?.status ?? e?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export function wantsHtml(req: Request): boolean {
  return !req.path.startsWith('/api/') && !req.path.startsWith('/health') && !!req.accepts(['json', 'html']) && req.accepts(['json', 'html']) === 'html';
}

export function errorHandler(log: Logger, renderHtml: (res: Response, p: Problem) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const correlationId = res.locals.correlationId as string;
    const p = toProblem(err, correlationId);
    // Server faults are logged with their cause; a client's mistake is a line without a stack (B17: no log floods).
    if (p.status >= 500) log.error('request failed', { correlationId, method: req.method, path: req.path, status: p.status, err });
    else log.debug('request refused', { correlationId, method: req.method, path: req.path, status: p.status });
    if (res.headersSent) return;
    if (p.status === 503 || p.status === 429) res.setHeader('Retry-After', String(p.retryAfter ?? 5));
    // serve-static names the file's length for a 416 (Content-Range: bytes */n): keep such headers of client errors.
    const headers = (err as { headers?: unknown })?.headers;
    if (p.status < 500 && headers && typeof headers === 'object') {
      for (const [k, v] of Object.entries(headers)) if (typeof v === 'string' && /^[\w-]+$/.test(k)) res.setHeader(k, v);
    }
    if (wantsHtml(req)) {
      res.status(p.status);
      renderHtml(res, p);
      return;
    }
    res.status(p.status).type('application/problem+json').send(JSON.stringify(p));
  };
}
