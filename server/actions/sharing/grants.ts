// Grants: given at once for 无条件共享 resources (获取), or at the end of a request (task order carried out); then
// suspended, resumed, revoked by 市信息办, and expired by the clock (domain/workflow/grant.ts).

import { cityDate } from '../../domain/calendar.ts';
import { ConflictError, type FieldError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../domain/errors.ts';
import { type Actor, hasRole } from '../../domain/roles.ts';
import { canSeeResource, resourceVisibility } from '../../domain/visibility.ts';
import type { Grant, SharingRequest, WorkflowStep } from '../../domain/workflow/entities.ts';
import { seesDeliveryDetail, withoutDeliveryDetail } from '../../domain/workflow/delivery.ts';
import { GRANT_EVENTS, type GrantState, conditionalGrant, grantInForce, grantLapsed, grantMachine, grantPartiesOf } from '../../domain/workflow/grant.ts';
import { available } from '../../domain/workflow/machine.ts';
import { REQUEST_FIELD_LABELS, requestedResource } from '../../domain/workflow/request.ts';
import { nextNumber } from '../numbers.ts';
import type { ActorRef, Cond, Store } from '../../ports/store.ts';
import { type ActionContext, defineAction } from '../define.ts';
import { paging, readId, readQuery } from '../input.ts';
import { nextState, readStepInput } from './step.ts';
import { asObject, failIf, readTerms, readWanted } from './terms.ts';

export function canSeeGrant(actor: Actor | undefined, g: Grant): boolean {
  if (!actor) return false;
  return actor.agencyId === g.consumerAgencyId || actor.agencyId === g.providerAgencyId || hasRole(actor, 'info_office', 'reviewer');
}

/** A grant as its viewer sees it; its endpoint only for the provider, and for its holder while it is in force. */
export function presentGrant(g: Grant, actor: Actor | undefined, today: string) {
  const shown = { ...g, actions: available(grantMachine, g.state, grantPartiesOf(actor, g), g.kind) };
  return seesDeliveryDetail(actor, g, grantInForce(g, today)) ? shown : withoutDeliveryDetail(shown);
}

/** The grant a request ends in (its id follows from the request's, so doing this twice creates one). */
export async function createConditionalGrant(ctx: ActionContext, actor: Actor, r: SharingRequest): Promise<Grant> {
  const grant = conditionalGrant(r, ctx.now().toISOString());
  const existing = await ctx.store.grants.get(grant.id);
  if (existing) return existing;
  return ctx.audited({ action: 'grant.create', object: grant.id, outcome: 'success', detail: { number: r.number, request: r.id } }, (opts) => ctx.store.grants.create(grant, actor, opts));
}

/** 获取: a 无条件共享 resource with purpose and scope stated, granted at once and recorded like any other grant. */
export const obtainGrant = defineAction({
  name: 'grant.obtain',
  permission: ['agency_staff', 'data_steward'],
  input: (raw) => asObject(raw.body, ['resources', 'purpose', 'scope', 'startsOn', 'endsOn']),
  run: async (actor, body, ctx) => {
    const errors: FieldError[] = [];
    const terms = readTerms(body, cityDate(ctx.now()), errors, ['purpose', 'scope']);
    const wanted = readWanted(body, errors);
    if (wanted.length > 1) errors.push(fieldError('/resources', 'one', '每次获取一项资源', 'obtain one resource at a time'));
    failIf(errors);
    const w = wanted[0];
    const r = await ctx.store.resources.getBy('code', w.code);
    if (!r || !canSeeResource(resourceVisibility(actor), r) || r.status !== 'published') throw new NotFoundError('resource');
    if (r.sharing.type !== '无条件共享') {
      throw new ValidationError([fieldError('/resources/0/code', 'conditional', '该资源需要申请共享', 'this resource is shared on conditions: submit a request')]);
    }
    if (r.provider.agencyId === actor!.agencyId) throw new ValidationError([fieldError('/resources/0/code', 'own', '本单位的信息资源无需获取', 'a resource of your own agency needs no grant')]);
    const names = new Set(r.dataItems.map((d) => d.name));
    const unknown = w.items.filter((x) => !names.has(x));
    if (unknown.length) throw new ValidationError([fieldError('/resources/0/items', 'unknown_item', `该资源没有信息项:${unknown.join('、')}`, `no such data items: ${unknown.join(', ')}`)]);
    const items = w.items.length ? w.items : [...names];
    const at = ctx.now().toISOString();
    const number = await nextNumber(ctx.store, 'GR', ctx.now());
    const grant: Grant = {
      id: `grant-${number.toLowerCase()}`, version: 1, number, kind: 'unconditional', state: 'active', consumerAgencyId: actor!.agencyId,
      consumerUserId: actor!.userId, providerAgencyId: r.provider.agencyId, resources: [requestedResource(r, items)],
      resourceIds: [r.id], purpose: terms.purpose, scope: terms.scope, startsOn: terms.startsOn, endsOn: terms.endsOn, steps: [], createdAt: at, updatedAt: at,
    };
    const saved = await ctx.audited({ action: 'grant.obtain', object: grant.id, outcome: 'success', detail: { number, resource: r.code } },
      (opts) => ctx.store.grants.create(grant, actor!, opts));
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});

export const getGrant = defineAction({
  name: 'grant.get',
  permission: 'signed-in',
  input: (raw) => ({ id: readId(raw.params) }),
  run: async (actor, { id }, ctx) => {
    const g = await ctx.store.grants.get(id);
    if (!g || !canSeeGrant(actor, g)) throw new NotFoundError('grant');
    return presentGrant(g, actor, cityDate(ctx.now()));
  },
});

export const GRANT_VIEWS = ['mine', 'provider', 'all'] as const;

export const listGrants = defineAction({
  name: 'grant.list',
  permission: 'signed-in',
  input: (raw) => readQuery(raw.query, { view: GRANT_VIEWS, resource: 'string', state: ['active', 'suspended', 'revoked', 'expired'], offset: 'int', limit: 'int' }),
  run: async (actor, q, ctx) => {
    const conds: Cond[] = [];
    const view = q.view ?? 'mine';
    if (view === 'mine') conds.push({ path: 'consumerAgencyId', eq: actor!.agencyId });
    else if (view === 'provider') conds.push({ path: 'providerAgencyId', eq: actor!.agencyId });
    else if (!hasRole(actor, 'info_office', 'reviewer')) throw new ForbiddenError();
    if (q.resource) conds.push({ path: 'resourceIds', eq: q.resource });
    if (q.state) conds.push({ path: 'state', eq: q.state });
    const page = await ctx.store.grants.list({ where: conds.length ? { and: conds } : undefined, sort: [{ path: 'updatedAt', dir: 'desc' }], ...paging(q) });
    return { ...page, items: page.items.filter((g) => canSeeGrant(actor, g)).map((g) => presentGrant(g, actor, cityDate(ctx.now()))) };
  },
});

export const stepGrant = defineAction({
  name: 'grant.step',
  permission: ['info_office'],
  // `expire` is the clock's alone (grantPartiesOf never grants `system`), so offering it here only ever answers 403.
  input: (raw) => readStepInput(raw, GRANT_EVENTS.filter((e) => e !== 'expire'), { reason: REQUEST_FIELD_LABELS.reason }),
  run: async (actor, { id, event, fields, version }, ctx) => {
    const g = await ctx.store.grants.get(id);
    if (!g || !canSeeGrant(actor, g)) throw new NotFoundError('grant');
    const result = nextState(grantMachine, g, { id, event, fields, version }, grantPartiesOf(actor, g), REQUEST_FIELD_LABELS);
    const at = ctx.now().toISOString();
    const entry: WorkflowStep<GrantState> = { event, from: g.state, to: result.to, by: actor!.username, byName: actor!.displayName, byAgencyId: actor!.agencyId, at, fields };
    const saved = await ctx.audited({ action: `grant.${event}`, object: g.id, outcome: 'success', detail: { number: g.number, from: g.state, to: result.to } },
      (opts) => ctx.store.grants.update(g.id, { ...g, state: result.to, steps: [...g.steps, entry], updatedAt: at }, version, actor!, opts));
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});

const CLOCK: ActorRef = { userId: 'system:clock', username: 'system' };

/** Grants past their end date expire (run at start-up and hourly; a lost race with a person's step is retried then). */
export async function expireLapsedGrants(store: Store, now: Date): Promise<number> {
  const today = cityDate(now);
  let n = 0;
  for (const state of ['active', 'suspended'] as const) {
    const page = await store.grants.list({ where: { path: 'state', eq: state }, limit: 10_000 });
    for (const g of page.items) {
      if (!grantLapsed(g.endsOn, today)) continue;
      const at = now.toISOString();
      const entry: WorkflowStep<GrantState> = { event: 'expire', from: g.state, to: 'expired', by: 'system', byName: '系统', at };
      const audit = { actor: 'system', action: 'grant.expire', object: g.id, detail: { number: g.number, endsOn: g.endsOn } };
      try {
        // The expiry and its audit record commit together (F17).
        await store.grants.update(g.id, { ...g, state: 'expired', steps: [...g.steps, entry], updatedAt: at }, g.version, CLOCK, { audit: { ...audit, outcome: 'success' } });
        n++;
      } catch (e) {
        await store.audit.append({ ...audit, outcome: 'failure', detail: { ...audit.detail, error: e instanceof Error ? e.constructor.name : 'unknown' } }).catch(() => {});
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  }
  return n;
}
