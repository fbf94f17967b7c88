// Domain errors carry what a user needs to fix the problem; the HTTP layer maps them to problem details.

export interface FieldError {
  /** JSON pointer (RFC 6901) into the submitted document. */
  pointer: string;
  code: string;
  message: { zh: string; en: string };
}

export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`validation failed: ${errors.map((e) => `${e.pointer} ${e.code}`).join(', ')}`);
  }
}

/** Input that is malformed rather than wrong: operator keys, wrong shapes in a query. Maps to 400. */
export class BadRequestError extends Error {
  constructor(readonly zh: string, readonly en: string, readonly errors: FieldError[] = []) {
    super(en);
  }
}

export class ConflictError extends Error {
  constructor(readonly zh: string, readonly en: string, readonly currentVersion?: number) {
    super(en);
  }
}

/** A unique key (e.g. a resource code, a name within one provider) is taken by a live document. */
export class UniqueViolation extends ConflictError {
  constructor(readonly keys: string[]) {
    super(`唯一性冲突:${keys.join(', ')}`, `unique key taken: ${keys.join(', ')}`);
  }
}

export class NotFoundError extends Error {
  constructor(readonly what = 'resource') {
    super(`${what} not found`);
  }
}

export class ForbiddenError extends Error {
  constructor(readonly zh = '无权执行此操作', readonly en = 'You are not allowed to do this') {
    super(en);
  }
}

export class UnauthenticatedError extends Error {
  constructor() {
    super('authentication required');
  }
}

/** The store cannot be reached: fail fast with 503, never hang or half-apply. */
export class UnavailableError extends Error {
  readonly zh?: string;
  readonly en?: string;
  readonly retryAfterSeconds: number;
  /** `message` is for logs; `zh`/`en` are what users are told (the store's message when absent). */
  constructor(message?: string, opts: { cause?: unknown; zh?: string; en?: string; retryAfterSeconds?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.zh = opts.zh;
    this.en = opts.en;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 5;
  }
}

/** Too many requests from one client or against one account (B15, search rate limits). */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number, readonly zh = '请求过于频繁,请稍后再试', readonly en = 'too many requests; try again later') {
    super(en);
  }
}

export function fieldError(pointer: string, code: string, zh: string, en: string): FieldError {
  return { pointer, code, message: { zh, en } };
}
