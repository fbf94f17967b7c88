// The conditional-sharing request (workflows.md B): drafting, each step of the table in domain/workflow/request.ts,
// and reading. A step is persisted by compare-and-set on the version read with it, so of two concurrent decisions
// exactly one is recorded and the other answers 409 (F16); the step, its history entry and its audit record go
// together (audit first: F17).

import { cityDate, isOverdue } from '../../domain/calendar.ts';
import { ConflictError, type FieldError, ForbiddenError, NotFoundError, fieldError } from '../../domain/errors.ts';
import type { Resource } from '../../domain/resource.ts';
import { type Actor, hasRole } from '../../domain/roles.ts';
import { canSeeResource, resourceVisibility } from '../../domain/visibility.ts';
import { seesDeliveryDetail, withoutDeliveryDetail } from '../../domain/workflow/delivery.ts';
import type { SharingRequest, WorkflowStep } from '../../domain/workflow/entities.ts';
import { grantInForce } from '../../domain/workflow/grant.ts';
import { type FourEyes, available, decidedAs } from '../../domain/workflow/machine.ts';
import {
  REQUEST_DECIDING, REQUEST_EVENTS, REQUEST_EVENT_LABELS, REQUEST_FIELD_LABELS, REQUEST_STATES, REQUEST_STATE_LABELS, type RequestEvent, type RequestKind, type RequestParty,
  type RequestState, requestMachine, requestPartiesOf, requestedResource,
} from '../../domain/workflow/request.ts';
import { nextNumber } from '../numbers.ts';
import { address, tellNext } from '../notices.ts';
import type { Cond } from '../../ports/store.ts';
import { type ActionContext, defineAction } from '../define.ts';
import { paging, readId, readQuery } from '../input.ts';
import { startClock } from './clock.ts';
import { createConditionalGrant } from './grants.ts';
import { nextState, readStepInput } from './step.ts';
import { TERM_LABELS, asObject, failIf, readTerms, readWanted } from './terms.ts';

const APPLICANT_ROLES = ['agency_staff', 'data_steward'] as const;

/** Who may look at a request at all: its two agencies and the bodies that decide on it; nobody else learns it exists. */
export function canSeeRequest(actor: Actor | undefined, r: SharingRequest): boolean {
  if (!actor) return false;
  if (actor.agencyId === r.applicantAgencyId) return true;
  if (hasRole(actor, 'info_office', 'reviewer')) return true;
  // The provider learns of a request when the contact sheet reaches it.
  return actor.agencyId === r.providerAgencyId && !!r.contactSheet;
}

async function loadRequest(ctx: ActionContext, actor: Actor | undefined, id: string): Promise<SharingRequest> {
  const r = await ctx.store.requests.get(id);
  if (!r || !canSeeRequest(actor, r)) throw new NotFoundError('request');
  return r;
}

/**
 * A request as its viewer sees it, with the steps they can take now (the pages render exactly these). The endpoint
 * the provider gave is withheld unless the viewer is the provider or holds the request's grant while it is in force.
 */
export async function presentRequest(ctx: Pick<ActionContext, 'store' | 'now'>, r: SharingRequest, actor: Actor | undefined) {
  const parties = requestPartiesOf(actor, r);
  const shown = { ...r, actions: available(requestMachine, r.state, parties, r.kind, requestEyes(r, actor)) };
  if (!r.reply) return shown;
  const ours = { providerAgencyId: r.providerAgencyId, consumerAgencyId: r.applicantAgencyId };
  const mayHold = actor?.agencyId === r.applicantAgencyId && !!r.grantId;
  const grant = mayHold ? await ctx.store.grants.get(r.grantId!) : undefined;
  const inForce = !!grant && grantInForce(grant, cityDate(ctx.now()));
  return seesDeliveryDetail(actor, ours, inForce) ? shown : withoutDeliveryDetail(shown);
}

/** What this person already decided on the request (four eyes, B24). */
function requestEyes(r: SharingRequest, actor: Actor | undefined): FourEyes<RequestParty> {
  return { deciding: REQUEST_DECIDING, decidedAs: actor ? decidedAs(requestMachine, r.steps, r.kind, actor.username) : new Set() };
}

/** The published resources named, visible to the applicant, all of one other agency, and all of one share type. */
async function resolveResources(ctx: ActionContext, actor: Actor, wanted: { code: string; items: string[] }[], errors: FieldError[]) {
  const vis = resourceVisibility(actor);
  const found: { r: Resource; items: string[]; i: number }[] = [];
  for (const [i, w] of wanted.entries()) {
    const r = await ctx.store.resources.getBy('code', w.code);
    if (!r || !canSeeResource(vis, r) || r.status !== 'published') {
      errors.push(fieldError(`/resources/${i}/code`, 'not_found', `没有已发布的信息资源 ${w.code}`, `no published resource ${w.code}`));
      continue;
    }
    if (r.provider.agencyId === actor.agencyId) {
      errors.push(fieldError(`/resources/${i}/code`, 'own', '本单位的信息资源无需申请', 'a resource of your own agency needs no request'));
      continue;
    }
    const names = new Set(r.dataItems.map((d) => d.name));
    const unknown = w.items.filter((x) => !names.has(x));
    if (unknown.length) errors.push(fieldError(`/resources/${i}/items`, 'unknown_item', `该资源没有信息项:${unknown.join('、')}`, `no such data items: ${unknown.join(', ')}`));
    if (!w.items.length && names.size) errors.push(fieldError(`/resources/${i}/items`, 'required', '请选择所需的信息项', 'choose the data items you need'));
    found.push({ r, items: w.items, i });
  }
  const providers = new Set(found.map((f) => f.r.provider.agencyId));
  if (providers.size > 1) {
    errors.push(fieldError('/resources', 'providers', '一次申请只能涉及一个提供部门,请按提供部门分别申请', 'one request names resources of one provider; apply separately per provider'));
  }
  const types = new Set(found.map((f) => f.r.sharing.type));
  if (types.has('无条件共享')) {
    errors.push(fieldError('/resources', 'unconditional', '无条件共享资源无需申请,可直接获取', 'unconditional resources need no request: obtain them directly'));
  } else if (types.size > 1) {
    errors.push(fieldError('/resources', 'share_types', '有条件共享与不予共享资源请分别申请', 'apply for conditional and not-shared resources separately'));
  }
  const kind: RequestKind = types.has('不予共享') ? 'coordinate' : 'apply';
  const resources = found.map(({ r, items }) => requestedResource(r, items));
  return { resources, providerAgencyId: found[0]?.r.provider.agencyId ?? '', kind };
}

export const createRequest = defineAction({
  name: 'request.create',
  permission: APPLICANT_ROLES,
  input: (raw) => asObject(raw.body, ['resources', ...Object.keys(TERM_LABELS)]),
  run: async (actor, body, ctx) => {
    const errors: FieldError[] = [];
    const terms = readTerms(body, cityDate(ctx.now()), errors);
    const wanted = readWanted(body, errors);
    const { resources, providerAgencyId, kind } = await resolveResources(ctx, actor!, wanted, errors);
    failIf(errors);
    const at = ctx.now().toISOString();
    const number = await nextNumber(ctx.store, 'SQ', ctx.now());
    const record: SharingRequest = {
      id: `req-${number.toLowerCase()}`, version: 1, number, kind, state: 'draft', applicantAgencyId: actor!.agencyId, applicantUserId: actor!.userId,
      providerAgencyId, resources, resourceIds: resources.map((r) => r.id), ...terms, steps: [], createdAt: at, updatedAt: at,
    };
    const created = await ctx.audited({ action: 'request.create', object: record.id, outcome: 'success', detail: { number, kind, resources: record.resourceIds } },
      (opts) => ctx.store.requests.create(record, actor!, opts));
    return presentRequest(ctx, created, actor);
  },
});

export const getRequest = defineAction({
  name: 'request.get',
  permission: 'signed-in',
  input: (raw) => ({ id: readId(raw.params) }),
  run: async (actor, { id }, ctx) => presentRequest(ctx, await loadRequest(ctx, actor, id), actor),
});

/** What a step writes besides the state: the record each event produces. */
function effects(r: SharingRequest, event: RequestEvent, fields: Record<string, string>, by: string, at: string): Partial<SharingRequest> {
  switch (event) {
    case 'provide':
      return { reply: { deliveryMethod: fields.deliveryMethod, deliveryDetail: fields.deliveryDetail, deliverySchedule: fields.deliverySchedule, at, by } };
    case 'refuse':
      return { refusal: { reason: fields.reason, basis: fields.basis, at, by } };
    case 'uphold':
    case 'overrule':
      return { deliberation: { decision: event === 'uphold' ? 'upheld' : 'overruled', reason: fields.reason, at, by } };
    default:
      return {};
  }
}

export const stepRequest = defineAction({
  name: 'request.step',
  permission: 'signed-in',
  input: (raw) => readStepInput(raw, REQUEST_EVENTS, REQUEST_FIELD_LABELS),
  run: async (actor, { id, event, fields, version }, ctx) => {
    const r = await loadRequest(ctx, actor, id);
    const result = nextState(requestMachine, r, { id, event, fields, version }, requestPartiesOf(actor, r), REQUEST_FIELD_LABELS, requestEyes(r, actor));
    const now = ctx.now();
    const at = now.toISOString();
    const stepEntry: WorkflowStep<RequestState> = {
      event, from: r.state, to: result.to, by: actor!.username, byName: actor!.displayName, byAgencyId: actor!.agencyId, at,
      ...(Object.keys(fields).length ? { fields } : {}),
    };
    const next: SharingRequest = { ...r, ...effects(r, event, fields, actor!.username, at), state: result.to, steps: [...r.steps, stepEntry], updatedAt: at };
    delete next.deadline;
    if (result.clock) next.deadline = await startClock(ctx.store, result.clock, now);
    // The provider learns of a request through the contact sheet: on approval, or, for a coordination that never had
    // one, when the deliberation obliges it to provide.
    if (event === 'approve' || (event === 'overrule' && !r.contactSheet)) next.contactSheet = { number: await nextNumber(ctx.store, 'LXD', ctx.now()), issuedAt: at };
    if (event === 'issue_task_order') next.taskOrder = { number: await nextNumber(ctx.store, 'RWS', ctx.now()), issuedAt: at };
    if (event === 'grant') next.grantId = `grant-${r.id}`;
    const saved = await ctx.audited({ action: `request.${event}`, object: r.id, outcome: 'success', detail: { number: r.number, from: r.state, to: result.to } },
      (opts) => ctx.store.requests.update(r.id, next, version, actor!, opts));
    // After the state moved (compare-and-set won): the grant's id follows from the request, so a retry never makes two.
    if (event === 'grant') await createConditionalGrant(ctx, actor!, saved);
    await tellNext(ctx, requestMachine, saved, (p) => requestAddresses(p, saved), requestAddresses('applicant', saved), {
      title: `共享申请 ${saved.number}:${REQUEST_STATE_LABELS[saved.state]}`, events: REQUEST_EVENT_LABELS, link: `/requests/${saved.id}`,
    });
    return presentRequest(ctx, saved, actor);
  },
});

/** Where the notices of a request go, per party. */
export function requestAddresses(p: RequestParty, r: Pick<SharingRequest, 'applicantAgencyId' | 'providerAgencyId'>): string[] {
  switch (p) {
    case 'applicant':
      return address(r.applicantAgencyId, 'agency_staff', 'data_steward');
    case 'provider':
      return address(r.providerAgencyId, 'data_steward');
    case 'info_office':
      return address('*', 'info_office');
    case 'reviewer':
      return address('*', 'reviewer');
  }
}

export const REQUEST_VIEWS = ['mine', 'provider', 'queue', 'overdue', 'all'] as const;

/** States whose step runs against a deadline: those some transition of the table enters with a clock. */
const CLOCKED_STATES = REQUEST_STATES.filter((s) => Object.values(requestMachine).some((row) => Object.values(row).flat().some((t) => t?.to === s && !!t.clock)));

/** Requests whose current step is past its deadline, oldest first (bounded: see the closing note of issue 4). */
async function overdueRequests(ctx: Pick<ActionContext, 'store' | 'now'>): Promise<SharingRequest[]> {
  const open = await ctx.store.requests.list({ where: { path: 'state', in: CLOCKED_STATES }, sort: [{ path: 'updatedAt', dir: 'asc' }], limit: 5000 });
  return open.items.filter((r) => r.deadline && isOverdue(r.deadline.due, ctx.now()));
}

/**
 * Lists: `mine` (my agency's applications), `provider` (requests to my agency that wait for it), `queue` (what waits
 * for the information office or the review authority, as the viewer's roles say), `all` (deciding bodies only).
 */
export const listRequests = defineAction({
  name: 'request.list',
  permission: 'signed-in',
  input: (raw) => readQuery(raw.query, { view: REQUEST_VIEWS, state: REQUEST_STATES, offset: 'int', limit: 'int' }),
  run: async (actor, q, ctx) => {
    const view = q.view ?? 'mine';
    const conds: Cond[] = [];
    if (view === 'mine') conds.push({ path: 'applicantAgencyId', eq: actor!.agencyId });
    else if (view === 'provider') {
      conds.push({ path: 'providerAgencyId', eq: actor!.agencyId }, { path: 'state', in: ['contact_sheet_issued', 'refusal_overruled', 'task_order_issued'] });
    } else if (view === 'queue') {
      const states: RequestState[] = [];
      if (hasRole(actor, 'info_office')) states.push('submitted', 'provided');
      if (hasRole(actor, 'reviewer')) states.push('under_review', 'refused', 'coordinating');
      if (!states.length) throw new ForbiddenError('只有市信息办和审查机关有待办队列', 'only the information office and the review authority have a queue');
      conds.push({ path: 'state', in: states });
    } else if (!hasRole(actor, 'info_office', 'reviewer')) {
      throw new ForbiddenError();
    }
    if (view === 'overdue') {
      // 市信息办 watches every clock: the steps whose deadline has passed, whoever's turn it is.
      const late = await overdueRequests(ctx);
      const { offset, limit } = paging(q);
      return { items: await Promise.all(late.slice(offset, offset + limit).map((r) => presentRequest(ctx, r, actor))), total: late.length, offset, limit };
    }
    if (q.state) conds.push({ path: 'state', eq: q.state });
    const page = await ctx.store.requests.list({
      where: conds.length ? { and: conds } : undefined, sort: [{ path: 'updatedAt', dir: 'desc' }], ...paging(q),
    });
    const items = await Promise.all(page.items.filter((r) => canSeeRequest(actor, r)).map((r) => presentRequest(ctx, r, actor)));
    return { ...page, items };
  },
});

/**
 * Steps past their deadline are flagged once to whoever has to act and to 市信息办 (workflows.md: overdue steps are
 * flagged to the actor and to the information office). Run at start-up and hourly; a request that moved meanwhile
 * is left for the next run.
 */
export async function flagOverdue(ctx: Pick<ActionContext, 'store' | 'now'>): Promise<number> {
  let n = 0;
  for (const r of await overdueRequests(ctx)) {
    if (!r.deadline || r.deadline.flagged) continue;
    try {
      await ctx.store.requests.update(r.id, { ...r, deadline: { ...r.deadline, flagged: true } }, r.version, { userId: 'system:clock', username: 'system' });
    } catch (e) {
      if (e instanceof ConflictError) continue;
      throw e;
    }
    const title = `已超期:共享申请 ${r.number}(${REQUEST_STATE_LABELS[r.state]},时限 ${r.deadline.due})`;
    await tellNext(ctx, requestMachine, r, (p) => requestAddresses(p, r), address('*', 'info_office'), { title, events: REQUEST_EVENT_LABELS, link: `/requests/${r.id}` });
    n++;
  }
  return n;
}

/**
 * A request the provider confirmed (`granted`) whose grant was not written (the store failed right after the step) gets
 * it now: the grant's id follows from the request, so this never makes two. Run with the other clocks.
 */
export async function ensureGrants(ctx: Pick<ActionContext, 'store' | 'now' | 'audited'>): Promise<number> {
  const granted = await ctx.store.requests.list({ where: { path: 'state', eq: 'granted' }, limit: 10_000 });
  let n = 0;
  for (const r of granted.items) {
    if (await ctx.store.grants.get(r.grantId ?? `grant-${r.id}`)) continue;
    await createConditionalGrant(ctx as ActionContext, { userId: 'system:clock', username: 'system', displayName: '系统', agencyId: r.providerAgencyId, roles: [] }, r);
    n++;
  }
  return n;
}
