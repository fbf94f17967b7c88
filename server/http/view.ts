// What every server-rendered page shares: the template engine, the vocabularies templates read, CSRF, rendering
// and the sign-in gate.

import { resolve } from 'node:path';
import { type DoubleCsrfUtilities, doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Eta } from 'eta';
import { cityDateTime } from '../domain/calendar.ts';
import { codeSlug } from '../domain/codes.ts';
import type { Overlap } from '../domain/overlap.ts';
import { type Actor, ROLE_LABELS, hasRole } from '../domain/roles.ts';
import { BASE_DATABASES, DATA_TYPES, FORMAT_TYPES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, SHARE_TYPES, STATUS_LABELS, UPDATE_CYCLES } from '../domain/vocab.ts';
import type { Problem } from './problem.ts';

declare module 'express-session' {
  interface SessionData {
    flash?: { overlaps?: Overlap[]; notice?: string };
  }
}

export const eta = new Eta({ views: resolve(import.meta.dirname, '../../views'), cache: process.env.NODE_ENV === 'production', autoEscape: true });

const VOCAB = { FORMAT_TYPES, SHARE_TYPES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, UPDATE_CYCLES, BASE_DATABASES, DATA_TYPES, STATUS_LABELS, ROLE_LABELS };

/**
 * CSRF for forms: a signed double-submit cookie (csrf-csrf). The token is an HMAC under the session secret, bound to
 * the session id once signed in; it is kept in a cookie, not the session, so an anonymous visitor's login form writes
 * no session row (issue 9). Before sign-in the binding is to no session: a login form posted from another site still
 * fails, because it cannot carry the __Host-, SameSite=Strict cookie, and the Origin check refuses it first.
 */
export function csrfFor(config: { sessionSecret: string; secureCookies: boolean }): DoubleCsrfUtilities {
  return doubleCsrf({
    getSecret: () => `csrf:${config.sessionSecret}`,
    getSessionIdentifier: (req) => (req.user ? req.sessionID : ''),
    cookieName: config.secureCookies ? '__Host-csrf' : 'csrf',
    cookieOptions: { sameSite: 'strict', path: '/', secure: config.secureCookies, httpOnly: true },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
  });
}

/** The app's CSRF utilities (createApp puts them in app.locals, so several apps in one process keep their own). */
function csrf(req: Request): DoubleCsrfUtilities {
  return req.app.locals.csrf as DoubleCsrfUtilities;
}

export const csrfProtection: RequestHandler = (req, res, next) => csrf(req).doubleCsrfProtection(req, res, next);

export function render(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  const actor = res.locals.actor as Actor | undefined;
  // Anonymous visitors see no form but the login form.
  const csrfToken = actor || view === './auth/login' ? csrf(req).generateCsrfToken(req, res) : '';
  res.status(status).type('html').send(eta.render(view, { ...data, actor, csrfToken, v: VOCAB, codeSlug, when: cityDateTime, unread: res.locals.unread ?? 0, path: req.path, hasRole: (...r: Parameters<typeof hasRole>[1][]) => hasRole(actor, ...r) }));
}

export function renderProblemPage(res: Response, p: Problem): void {
  const status = p.status;
  const message = status === 404 ? '您要找的页面或记录不存在,或您无权查看。' : status === 403 ? '您无权执行此操作。' : status === 401 ? '请先登录。' : p.detail_zh;
  res.type('html').send(eta.render('./errors/problem', { actor: res.locals.actor, csrfToken: '', v: VOCAB, path: '', hasRole: () => false, problem: p, message }));
}

export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (!res.locals.actor) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next();
}


/** The same request with other query parameters: a page runs an action on what it chose, not on what was sent. */
export function withQuery(req: Request, query: Record<string, unknown>): Request {
  return Object.create(req, { query: { value: query, enumerable: true } }) as Request;
}

/** The same request with other path parameters (an action addressed by a form field). */
export function withParams(req: Request, params: Record<string, string>): Request {
  return Object.create(req, { params: { value: params, enumerable: true } }) as Request;
}
