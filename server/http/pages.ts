// Server-rendered pages in Chinese. They call the same actions as the JSON API, so a rule enforced for one is
// enforced for the other. Forms carry a synchroniser CSRF token.

import { type NextFunction, type Request, type Response, Router } from 'express';
import type passport from 'passport';
import type { Services } from '../actions/define.ts';
import { listAgencies, listClassification } from '../actions/reference.ts';
import createResource from '../actions/resources/create.ts';
import listResources from '../actions/resources/list.ts';
import { getResource, resourceHistory } from '../actions/resources/read.ts';
import { unreadCount } from '../actions/notices.ts';
import { presentWithSteps, stepResource, workflowStatus } from '../actions/resources/publish.ts';
import { answerReferral, askReferral, confirmCurrent, dashboard } from '../actions/resources/stewardship.ts';
import { diff } from '../domain/diff.ts';
import { staleDays } from '../domain/freshness.ts';
import { search as searchCatalog, vocabularyLabel } from '../actions/search.ts';
import { transitionFor } from '../domain/workflow/machine.ts';
import { PUBLICATION_EVENT_LABELS, type PublicationEvent, publicationMachine } from '../domain/workflow/publication.ts';
import updateResource from '../actions/resources/update.ts';
import { BadRequestError, ConflictError, ForbiddenError, UnauthenticatedError, UnavailableError, ValidationError } from '../domain/errors.ts';
import type { Resource } from '../domain/resource.ts';
import type { Logger } from '../log.ts';
import { FACET_NAMES, type FacetName, MAX_WINDOW } from '../domain/search.ts';
import { type Actor, hasRole } from '../domain/roles.ts';
import { EDITABLE_STATUSES, STATUS_LABELS } from '../domain/vocab.ts';
import { runAction } from './api.ts';
import { formToResourceInput, pointerToField, resourceToForm } from './form.ts';
import { toProblem } from './problem.ts';
import { publicationPages } from './publication-pages.ts';
import { recordForm } from './record-forms.ts';
import { sharingPages } from './sharing-pages.ts';
import { auditPages } from './audit-pages.ts';
import { workflowAdminPages } from './workflow-admin-pages.ts';
import { csrfProtection, render, requireSignIn, withQuery } from './view.ts';

async function formChoices(req: Request, res: Response, services: Services) {
  const [agencies, nodes] = await Promise.all([runAction(listAgencies, req, res, services), runAction(listClassification, req, res, services)]);
  return { agencies: agencies.items, nodes: nodes.items };
}

function errorMap(e: ValidationError, itemRows: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const err of e.errors) out[pointerToField(err.pointer, itemRows)] ??= err.message.zh;
  return out;
}

export function pagesRouter(services: Services & { passport: passport.PassportStatic; log?: Logger }): Router {
  const r = Router();
  const pp = services.passport;

  r.get('/', (_req, res) => res.redirect(302, res.locals.actor ? '/dashboard' : '/resources'));

  // The unread count beside 消息 on every page a signed-in user opens.
  r.use(async (req, res, next) => {
    if (res.locals.actor && req.method === 'GET') res.locals.unread = await unreadCount(services.store, res.locals.actor as Actor).catch(() => 0);
    next();
  });

  r.get('/login', (req, res) => {
    render(req, res, './auth/login', { next: safeNext(req.query.next), failed: req.query.failed === '1' });
  });
  r.post('/login', csrfProtection, (req, res, next) => {
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
  r.post('/logout', csrfProtection, (req, res, next) => {
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

  r.post('/resources', requireSignIn, csrfProtection, async (req, res) => {
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
    const editing = resource.status === 'published' ? resource.revision?.status ?? 'draft' : resource.status!;
    const canEdit = own && EDITABLE_STATUSES.includes(editing);
    const { revision } = resource;
    const revisionChanges = revision ? diff(withoutSystemFields(resource), withoutSystemFields(revision.content)).map((c) => c.path) : [];
    const history = own || hasRole(actor, 'reviewer', 'info_office') ? (await runAction(resourceHistory, req, res, services)).items : [];
    const steps = presentWithSteps(resource as Resource, actor).actions.map((event) => ({
      event, label: PUBLICATION_EVENT_LABELS[event], needs: transitionFor(publicationMachine, workflowStatus(resource as Resource, event), event, 'entry')?.needs ?? [],
    }));
    const stale = staleDays(resource as Resource, services.now());
    const may = { refer: own, answer: hasRole(actor, 'reviewer') && actor!.agencyId !== resource.provider?.agencyId, confirm: own && resource.status === 'published' };
    render(req, res, './resources/detail', { r: resource, flash, canEdit, history, steps, stepWords: PUBLICATION_EVENT_LABELS, stale, may, revisionChanges });
  });

  r.post('/resources/:id/steps', requireSignIn, csrfProtection, async (req, res) => {
    const form = req.body as Record<string, string>;
    try {
      const saved = await runAction(stepResource, req, res, services, { event: form.event, version: Number(form.version), ...(form.reason ? { reason: form.reason } : {}) });
      req.session.flash = { notice: `已办理:${PUBLICATION_EVENT_LABELS[form.event as PublicationEvent] ?? form.event}。当前状态:${STATUS_LABELS[saved.status!]}` };
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      req.session.flash = { notice: e instanceof ConflictError ? e.zh : '请填写理由后再办理' };
    }
    res.redirect(303, `/resources/${req.params.id}`);
  });

  const entryForm = (path: string, action: Parameters<typeof recordForm>[3], body: Parameters<typeof recordForm>[4], done: string) =>
    recordForm(r, services, path, action, body, done, (p) => `/resources/${p.id}`);
  entryForm('/resources/:id/referrals', askReferral, (f) => ({ question: f.question }), '已提请审查机关');
  entryForm('/resources/:id/referrals/:referralId/answer', answerReferral, (f) => ({ answer: f.answer }), '已答复');
  entryForm('/resources/:id/current', confirmCurrent, () => ({}), '已确认数据为最新');

  r.get('/dashboard', requireSignIn, async (req, res) => {
    render(req, res, './workflow/dashboard', { d: await runAction(dashboard, req, res, services) });
  });

  r.get('/resources/:id/edit', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const resource = (await runAction(getResource, req, res, services)) as Resource;
    if (!(hasRole(actor, 'data_steward') && actor.agencyId === resource.provider.agencyId)) throw new ForbiddenError();
    render(req, res, './resources/form', { ...(await formChoices(req, res, services)), form: resourceToForm((resource.revision?.content as Resource | undefined) ?? resource, actor.agencyId), errors: {}, mode: 'edit', id: resource.id });
  });

  r.post('/resources/:id', requireSignIn, csrfProtection, async (req, res) => {
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

  r.get('/search', async (req, res) => {
    // A plain form sends its empty fields (q=, sort=): they mean "not given", as on /resources.
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.query)) if (v !== '') query[k] = v as string;
    const view = { q: typeof req.query.q === 'string' ? req.query.q : '', mode: req.query.mode === 'items' ? 'items' : 'all', facetLabels: FACET_LABELS, facetNames: FACET_NAMES };
    let result: Awaited<ReturnType<typeof searchCatalog.run>>;
    try {
      result = await runAction(searchCatalog, withQuery(req, query), res, services);
    } catch (e) {
      // Bad parameters and an unavailable index are told on the search page itself, with the box to try again.
      if (!(e instanceof BadRequestError || e instanceof UnavailableError)) throw e;
      const problem = toProblem(e, res.locals.correlationId as string);
      if (problem.status === 503) {
        res.setHeader('Retry-After', String(problem.retryAfter ?? 5));
        services.log?.warn('search unavailable on the search page', { correlationId: problem.correlationId, error: (e as Error).message, cause: String((e as Error).cause ?? '') });
      }
      render(req, res, './search/index', { ...view, problem }, problem.status);
      return;
    }
    // Every parameter was valid: links rebuild the query from them in a stable order.
    const state = query;
    const href = (change: Record<string, string | undefined> = {}): string => {
      const next: Record<string, string | undefined> = { ...state, page: undefined, ...change };
      const qs = new URLSearchParams();
      for (const k of SEARCH_LINK_ORDER) {
        const v = next[k];
        if (v === undefined || (k === 'mode' && v === 'all') || (k === 'page' && v === '1')) continue;
        qs.set(k, v);
      }
      const s = qs.toString();
      return s ? `/search?${s}` : '/search';
    };
    const facetHref = (name: FacetName, value: string) => href({ [name]: state[name] === value ? undefined : value });
    const lastPage = Math.max(1, Math.min(Math.ceil(result.total / result.size), Math.floor(MAX_WINDOW / result.size)));
    const chips = [];
    for (const name of FACET_NAMES) {
      const value = state[name];
      if (value === undefined) continue;
      chips.push({ name, value, label: await filterLabel(req, res, services, name, value, result.facets[name]), href: href({ [name]: undefined }) });
    }
    render(req, res, './search/index', {
      ...view, result, state, chips, href, facetHref, pageHref: (n: number) => href({ page: String(n) }), lastPage,
      pages: pageNumbers(result.page, lastPage), capped: result.total > lastPage * result.size,
      clearHref: href(Object.fromEntries(FACET_NAMES.map((n) => [n, undefined]))),
      loginHref: `/login?next=${encodeURIComponent(req.originalUrl)}`,
    });
  });

  sharingPages(r, services);
  publicationPages(r, services);
  workflowAdminPages(r, services);
  auditPages(r, services);

  // Pages answer an unauthenticated API-style error with the login page instead.
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof UnauthenticatedError && req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    next(err);
  });
  return r;
}

const FACET_LABELS: Record<FacetName, string> = {
  agency: '机关', class: '分类', shareType: '共享类型', format: '格式', updateCycle: '更新周期', baseDatabase: '基础信息库', open: '是否开放', status: '状态',
};
const SEARCH_LINK_ORDER = ['q', 'mode', ...FACET_NAMES, 'sort', 'size', 'page'] as const;

/** The active filter's words for its chip: the facet's own label when it has a bucket, else the reference data. */
async function filterLabel(req: Request, res: Response, services: Services, name: FacetName, value: string, buckets: { value: string; label: string }[] = []): Promise<string> {
  const bucket = buckets.find((b) => b.value === value);
  if (bucket) return bucket.label;
  if (name === 'agency') return (await runAction(listAgencies, req, res, services)).items.find((a) => a.id === value)?.name ?? value;
  if (name === 'class') return (await runAction(listClassification, req, res, services)).items.find((n) => n.code === value)?.name ?? value;
  return vocabularyLabel(name, value) ?? value;
}

/** The fields a steward wrote, for comparing a revision with what is published. */
function withoutSystemFields(r: Partial<Resource>): Record<string, unknown> {
  const { id: _i, version: _v, status: _s, createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, publishedAt: _p, review: _r, referrals: _q, currentAsOf: _a, revision: _x, ...rest } = r;
  return rest;
}

/** Page numbers around the current one, with the first and last; null marks a gap. */
function pageNumbers(current: number, last: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let n = 1; n <= last; n++) {
    if (n === 1 || n === last || Math.abs(n - current) <= 2) out.push(n);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/** Only same-site paths: an open redirect after login would hand a phishing page a trusted URL. */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(v) ? v : '/resources';
}
