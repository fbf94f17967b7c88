// Server-rendered pages in Chinese. They call the same actions as the JSON API, so a rule enforced for one is
// enforced for the other. Forms carry a synchroniser CSRF token.

import { resolve } from 'node:path';
import { csrfSync } from 'csrf-sync';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { Eta } from 'eta';
import type passport from 'passport';
import type { Services } from '../actions/define.ts';
import { listAgencies, listClassification } from '../actions/reference.ts';
import createResource from '../actions/resources/create.ts';
import listResources from '../actions/resources/list.ts';
import { getResource, resourceHistory } from '../actions/resources/read.ts';
import updateResource from '../actions/resources/update.ts';
import { codeSlug } from '../domain/codes.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../domain/errors.ts';
import type { Overlap } from '../domain/overlap.ts';
import type { Resource } from '../domain/resource.ts';
import { type Actor, ROLE_LABELS, hasRole } from '../domain/roles.ts';
import { EDITABLE_STATUSES, BASE_DATABASES, DATA_TYPES, FORMAT_TYPES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, SHARE_TYPES, STATUS_LABELS, UPDATE_CYCLES } from '../domain/vocab.ts';
import { runAction } from './api.ts';
import { formToResourceInput, pointerToField, resourceToForm } from './form.ts';
import type { Problem } from './problem.ts';

declare module 'express-session' {
  interface SessionData {
    flash?: { overlaps?: Overlap[]; notice?: string };
  }
}

export const eta = new Eta({ views: resolve(import.meta.dirname, '../../views'), cache: process.env.NODE_ENV === 'production', autoEscape: true });

const VOCAB = { FORMAT_TYPES, SHARE_TYPES, METHOD_CATEGORIES, PLATFORM_METHOD_TYPES, UPDATE_CYCLES, BASE_DATABASES, DATA_TYPES, STATUS_LABELS, ROLE_LABELS };

const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

function render(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  const actor = res.locals.actor as Actor | undefined;
  // Anonymous visitors see no form but the login form; minting a token for them would write a session per page view.
  const csrfToken = req.session && (actor || view === './auth/login') ? generateToken(req) : '';
  res.status(status).type('html').send(eta.render(view, { ...data, actor, csrfToken, v: VOCAB, codeSlug, path: req.path, hasRole: (...r: Parameters<typeof hasRole>[1][]) => hasRole(actor, ...r) }));
}

export function renderProblemPage(res: Response, p: Problem): void {
  const status = p.status;
  const message = status === 404 ? '您要找的页面或记录不存在,或您无权查看。' : status === 403 ? '您无权执行此操作。' : status === 401 ? '请先登录。' : p.detail_zh;
  res.type('html').send(eta.render('./errors/problem', { actor: res.locals.actor, csrfToken: '', v: VOCAB, path: '', hasRole: () => false, problem: p, message }));
}

function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (!res.locals.actor) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next();
}

async function formChoices(req: Request, res: Response, services: Services) {
  const [agencies, nodes] = await Promise.all([runAction(listAgencies, req, res, services), runAction(listClassification, req, res, services)]);
  return { agencies: agencies.items, nodes: nodes.items };
}

function errorMap(e: ValidationError, itemRows: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const err of e.errors) out[pointerToField(err.pointer, itemRows)] ??= err.message.zh;
  return out;
}

export function pagesRouter(services: Services & { passport: passport.PassportStatic }): Router {
  const r = Router();
  const pp = services.passport;

  r.get('/', (_req, res) => res.redirect(302, '/resources'));

  r.get('/login', (req, res) => {
    render(req, res, './auth/login', { next: safeNext(req.query.next), failed: req.query.failed === '1' });
  });
  r.post('/login', csrfSynchronisedProtection, (req, res, next) => {
    const target = safeNext(req.body?.next);
    pp.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return res.redirect(303, `/login?failed=1&next=${encodeURIComponent(target)}`);
      // passport regenerates the session id at login (B14), so a planted session id is worthless.
      req.logIn(user, (e) => {
        if (e) return next(e);
        req.session.createdAt = Date.now();
        res.redirect(303, target);
      });
    })(req, res, next);
  });
  r.post('/logout', csrfSynchronisedProtection, (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(req.secure ? '__Host-sid' : 'sid', { path: '/' });
        res.redirect(303, '/login');
      });
    });
  });

  r.get('/resources', async (req, res) => {
    const filters = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ''));
    const page = await runAction(listResources, { ...req, query: filters } as Request, res, services);
    const agencies = (await runAction(listAgencies, req, res, services)).items;
    render(req, res, './resources/list', { page, filters, agencies });
  });

  r.get('/resources/new', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    if (!hasRole(actor, 'data_steward')) throw new ForbiddenError();
    render(req, res, './resources/form', { ...(await formChoices(req, res, services)), form: resourceToForm(undefined, actor.agencyId), errors: {}, mode: 'new' });
  });

  r.post('/resources', requireSignIn, csrfSynchronisedProtection, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const { input, itemRows } = formToResourceInput(req.body, actor.agencyId);
    try {
      const { resource, overlaps } = await runAction(createResource, req, res, services, input);
      req.session.flash = { notice: `已保存为草稿,资源代码 ${resource.code}`, overlaps };
      res.redirect(303, `/resources/${resource.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      render(req, res, './resources/form', { ...(await formChoices(req, res, services)), form: req.body, errors: errorMap(e, itemRows), errorList: e.errors, mode: 'new' }, 422);
    }
  });

  r.get('/resources/:id', async (req, res) => {
    const resource = await runAction(getResource, req, res, services);
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    const actor = res.locals.actor as Actor | undefined;
    const own = hasRole(actor, 'data_steward') && actor!.agencyId === resource.provider?.agencyId;
    const canEdit = own && EDITABLE_STATUSES.includes(resource.status!);
    const history = own || hasRole(actor, 'reviewer', 'info_office') ? (await runAction(resourceHistory, req, res, services)).items : [];
    render(req, res, './resources/detail', { r: resource, flash, canEdit, history });
  });

  r.get('/resources/:id/edit', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const resource = (await runAction(getResource, req, res, services)) as Resource;
    if (!(hasRole(actor, 'data_steward') && actor.agencyId === resource.provider.agencyId)) throw new ForbiddenError();
    render(req, res, './resources/form', { ...(await formChoices(req, res, services)), form: resourceToForm(resource, actor.agencyId), errors: {}, mode: 'edit', id: resource.id });
  });

  r.post('/resources/:id', requireSignIn, csrfSynchronisedProtection, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const { input, itemRows } = formToResourceInput(req.body, actor.agencyId);
    const body = { ...input, version: Number(req.body?.version) };
    try {
      const { resource, overlaps } = await runAction(updateResource, req, res, services, body);
      req.session.flash = { notice: `已保存(第 ${resource.version} 版)`, overlaps };
      res.redirect(303, `/resources/${resource.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      render(req, res, './resources/form', { ...(await formChoices(req, res, services)), form: req.body, errors: errorMap(e, itemRows), errorList: e.errors, mode: 'edit', id: req.params.id }, 422);
    }
  });

  // Pages answer an unauthenticated API-style error with the login page instead.
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof UnauthenticatedError && req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    next(err);
  });
  return r;
}

/** Only same-site paths: an open redirect after login would hand a phishing page a trusted URL. */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(v) ? v : '/resources';
}
