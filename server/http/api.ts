// The JSON API under /api/v1. Every route mounts an action, and an action without a declared permission stops
// the server at start-up rather than opening a hole (Ghost's rule).

import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import * as accounts from '../actions/accounts.ts';
import { verifyAudit } from '../actions/audit-trail.ts';
import { type Action, type ActionContext, type AuditInput, type Services, perform } from '../actions/define.ts';
import * as reference from '../actions/reference.ts';
import createResource from '../actions/resources/create.ts';
import listResources from '../actions/resources/list.ts';
import { getResource, getResourceByCode, resourceHistory } from '../actions/resources/read.ts';
import * as publishing from '../actions/resources/publish.ts';
import removeResource from '../actions/resources/remove.ts';
import * as stewardship from '../actions/resources/stewardship.ts';
import updateResource from '../actions/resources/update.ts';
import * as notices from '../actions/notices.ts';
import * as searching from '../actions/search.ts';
import * as workflowSettings from '../actions/workflow-settings.ts';
import * as grants from '../actions/sharing/grants.ts';
import * as obligations from '../actions/sharing/obligations.ts';
import * as requests from '../actions/sharing/requests.ts';
import type { AuditEntry } from '../domain/entities.ts';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors.ts';
import type { WriteOptions } from '../ports/store.ts';
import type { Actor } from '../domain/roles.ts';
import { onceByKey, readIdempotencyKey } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';

type Method = 'get' | 'post' | 'put' | 'delete';
export interface Route { method: Method; path: string; action: Action<any, any>; status?: number }

export const API_ROUTES: Route[] = [
  { method: 'get', path: '/resources', action: listResources },
  { method: 'post', path: '/resources', action: createResource, status: 201 },
  { method: 'get', path: '/resources/by-code/:code', action: getResourceByCode },
  { method: 'get', path: '/resources/:id', action: getResource },
  { method: 'put', path: '/resources/:id', action: updateResource },
  { method: 'delete', path: '/resources/:id', action: removeResource, status: 204 },
  { method: 'get', path: '/resources/:id/history', action: resourceHistory },
  { method: 'post', path: '/resources/:id/steps', action: publishing.stepResource },
  { method: 'post', path: '/resources/:id/referrals', action: stewardship.askReferral, status: 201 },
  { method: 'post', path: '/resources/:id/referrals/:referralId/answer', action: stewardship.answerReferral },
  { method: 'post', path: '/resources/:id/current', action: stewardship.confirmCurrent },
  { method: 'get', path: '/dashboard', action: stewardship.dashboard },
  { method: 'get', path: '/batches', action: publishing.listBatches },
  { method: 'post', path: '/batches', action: publishing.createBatch, status: 201 },
  { method: 'get', path: '/batches/:id', action: publishing.getBatch },
  { method: 'post', path: '/batches/:id/steps', action: publishing.stepBatch },
  { method: 'post', path: '/batches/:id/entries/:resourceId/remove', action: publishing.removeFromBatch },
  { method: 'get', path: '/agencies', action: reference.listAgencies },
  { method: 'post', path: '/agencies', action: reference.createAgency, status: 201 },
  { method: 'get', path: '/agencies/:id', action: reference.getAgency },
  { method: 'put', path: '/agencies/:id', action: reference.updateAgency },
  { method: 'delete', path: '/agencies/:id', action: reference.removeAgency, status: 204 },
  { method: 'get', path: '/classification', action: reference.listClassification },
  { method: 'post', path: '/classification', action: reference.createClassification, status: 201 },
  { method: 'put', path: '/classification/:id', action: reference.updateClassification },
  { method: 'get', path: '/me', action: accounts.me },
  { method: 'get', path: '/users', action: accounts.listUsers },
  { method: 'post', path: '/users', action: accounts.createUserAction, status: 201 },
  { method: 'put', path: '/users/:id', action: accounts.updateUser },
  { method: 'get', path: '/users/:id/tokens', action: accounts.listTokens },
  { method: 'post', path: '/users/:id/tokens', action: accounts.createToken, status: 201 },
  { method: 'delete', path: '/users/:id/tokens/:tokenId', action: accounts.revokeToken, status: 204 },
  { method: 'get', path: '/overlaps', action: accounts.listOverlaps },
  { method: 'get', path: '/audit', action: accounts.listAudit },
  { method: 'get', path: '/audit/verification', action: verifyAudit },
  { method: 'get', path: '/search', action: searching.search },
  { method: 'get', path: '/search/suggest', action: searching.suggest },
  { method: 'get', path: '/search/status', action: searching.indexStatus },
  { method: 'get', path: '/search/dead-letters', action: searching.listDeadLetters },
  { method: 'post', path: '/search/rebuild', action: searching.rebuildSearch },
  { method: 'post', path: '/search/reconcile', action: searching.reconcileSearch },
  { method: 'get', path: '/requests', action: requests.listRequests },
  { method: 'post', path: '/requests', action: requests.createRequest, status: 201 },
  { method: 'get', path: '/requests/:id', action: requests.getRequest },
  { method: 'post', path: '/requests/:id/steps', action: requests.stepRequest },
  { method: 'get', path: '/notifications', action: notices.listNotices },
  { method: 'post', path: '/notifications/:id/read', action: notices.readNotice },
  { method: 'get', path: '/settings/deadlines', action: workflowSettings.getDeadlines },
  { method: 'put', path: '/settings/deadlines', action: workflowSettings.setDeadlines },
  { method: 'get', path: '/calendar', action: workflowSettings.listCalendar },
  { method: 'put', path: '/calendar/:date', action: workflowSettings.setCalendarDay },
  { method: 'delete', path: '/calendar/:date', action: workflowSettings.removeCalendarDay, status: 204 },
  { method: 'get', path: '/grants', action: grants.listGrants },
  { method: 'post', path: '/grants', action: grants.obtainGrant, status: 201 },
  { method: 'get', path: '/grants/:id', action: grants.getGrant },
  { method: 'post', path: '/grants/:id/steps', action: grants.stepGrant },
  { method: 'post', path: '/grants/:id/consents', action: obligations.askConsent, status: 201 },
  { method: 'post', path: '/grants/:id/consents/:consentId/answer', action: obligations.answerConsent },
  { method: 'post', path: '/grants/:id/violations', action: obligations.recordViolation, status: 201 },
  { method: 'post', path: '/grants/:id/violations/:violationId/rectified', action: obligations.confirmRectified },
];

/** Who asked, for the audit log: the server's correlation id, the client's address and its own request id. */
export interface RequestMeta {
  correlationId: string;
  address?: string;
  clientRequestId?: string;
}

export function requestMeta(req: Request, res: Response): RequestMeta {
  return {
    correlationId: res.locals.correlationId ?? randomUUID(),
    ...(req.ip ? { address: req.ip } : {}),
    ...(res.locals.clientRequestId ? { clientRequestId: res.locals.clientRequestId as string } : {}),
  };
}

export function actionContext(services: Services, actor: Actor | undefined, meta: RequestMeta | string): ActionContext {
  const { correlationId, address, clientRequestId } = typeof meta === 'string' ? { correlationId: meta } as RequestMeta : meta;
  const entry = (e: AuditInput): AuditEntry => ({
    ...e, actor: actor?.username ?? 'anonymous', ...(actor ? { agencyId: actor.agencyId, roles: actor.roles } : {}), correlationId,
    ...(address ? { address } : {}), ...(clientRequestId ? { clientRequestId } : {}),
  });
  const audit = async (e: AuditInput) => {
    await services.store.audit.append(entry(e));
    services.auditTrail?.advanced();
  };
  return {
    ...services,
    correlationId,
    audit,
    audited: async (e, write) => {
      const opts: WriteOptions = { audit: entry(e) };
      let result;
      try {
        result = await write(opts);
      } catch (err) {
        await audit({ ...e, outcome: 'failure', detail: { ...e.detail, error: err instanceof Error ? err.constructor.name : 'unknown' } }).catch(() => {});
        throw err;
      }
      // Not a store write (or one that dropped its options): the record follows, so it exists either way.
      if (!opts.appended) await services.store.audit.append(opts.audit!);
      services.auditTrail?.advanced();
      return result;
    },
  };
}

/** Runs an action for a request, auditing refusals (authorization failures are security events). */
export async function runAction<O>(action: Action<any, O>, req: Request, res: Response, services: Services, body?: unknown): Promise<O> {
  const actor = res.locals.actor as Actor | undefined;
  const ctx = actionContext(services, actor, requestMeta(req, res));
  try {
    return await perform(action, actor, { body: body ?? req.body, params: req.params as Record<string, string>, query: req.query as Record<string, unknown>, headers: req.headers }, ctx);
  } catch (e) {
    if (e instanceof ForbiddenError || (e instanceof UnauthenticatedError && req.headers.authorization)) {
      await ctx.audit({ action: 'authz.denied', object: action.name, outcome: 'denied' });
    }
    throw e;
  }
}

export function apiRouter(services: Services): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  // A method a path does not have is 405 with the methods it has (HEAD comes with GET, OPTIONS answers them).
  const methods = new Map<string, string[]>();
  for (const route of API_ROUTES) {
    const p = route.action.permission as unknown;
    if (p !== 'public' && p !== 'signed-in' && !(Array.isArray(p) && p.length > 0)) {
      throw new Error(`action ${route.action.name} declares no permission; refusing to start`);
    }
    methods.set(route.path, [...(methods.get(route.path) ?? []), route.method.toUpperCase()]);
    router[route.method](route.path, async (req, res) => {
      const run = async () => {
        const result = await runAction(route.action, req, res, services);
        const status = route.status ?? 200;
        return { status: status === 204 || result === undefined ? 204 : status, body: result };
      };
      const key = route.method === 'post' ? readIdempotencyKey(req.headers) : undefined;
      const { status, body } = key
        ? await onceByKey(services.store, res.locals.actor as Actor | undefined, `${route.method} ${req.baseUrl}${req.path}`, key, req.body, services.now(), run, { keepAnswer: !route.action.answerHoldsSecret })
        : await run();
      if (status === 204) {
        res.status(204).end();
        return;
      }
      const version = (body as { version?: unknown; resource?: { version?: unknown } }).version ?? (body as { resource?: { version?: unknown } }).resource?.version;
      if (typeof version === 'number') res.setHeader('ETag', `"${version}"`);
      res.status(status).json(body);
    });
  }
  for (const [path, list] of methods) {
    const allow = [...new Set([...list, ...(list.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].join(', ');
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(Object.assign(new Error('method not allowed'), { status: 405 }));
    });
  }
  return router;
}
