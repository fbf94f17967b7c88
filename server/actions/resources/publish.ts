// Catalog publication (workflows.md A): an entry's steps from draft to published, and the numbered batches that
// 市信息办 submits to the city government. Each write is a compare-and-set on the version read; a batch decision moves
// its entries one by one, each by compare-and-set, after the batch itself moved (so two decisions cannot both run).

import { ConflictError, type FieldError, ForbiddenError, NotFoundError, UniqueViolation, ValidationError, fieldError } from '../../domain/errors.ts';
import type { Resource, ReviewStep } from '../../domain/resource.ts';
import type { ResourceStatus } from '../../domain/vocab.ts';
import { type Actor, hasRole } from '../../domain/roles.ts';
import type { Batch, WorkflowStep } from '../../domain/workflow/entities.ts';
import { type FourEyes, available, decidedAs, transitionFor } from '../../domain/workflow/machine.ts';
import {
  BATCH_ENTRY_EVENT, BATCH_EVENTS, PUBLICATION_DECIDING, BATCH_EVENT_LABELS, BATCH_STATE_LABELS, type BatchState, ENTRY_EVENTS, PUBLICATION_EVENT_LABELS, PUBLICATION_FIELD_LABELS,
  type PublicationEvent, type PublicationParty,
  batchMachine, publicationMachine, publicationPartiesOf,
} from '../../domain/workflow/publication.ts';
import { STATUS_LABELS } from '../../domain/vocab.ts';
import { type ActionContext, defineAction } from '../define.ts';
import { address, notify, tellNext } from '../notices.ts';
import { nextNumber } from '../numbers.ts';
import { paging, readId, readQuery } from '../input.ts';
import { nextState, readStepInput } from '../sharing/step.ts';
import { asObject, failIf, readVersion } from '../sharing/terms.ts';
import { checkOverlaps, loadVisible, present } from './catalog.ts';

/**
 * Where the publication workflow stands for an entry: its pending revision when a published entry is being changed
 * (the published version stays until the successor is published), otherwise the entry itself. Withdrawal always
 * acts on the published entry.
 */
export function workflowStatus(r: Resource, event?: PublicationEvent): ResourceStatus {
  return r.status === 'published' && r.revision && event !== 'withdraw' ? r.revision.status : r.status;
}

/**
 * The entry after one step to `to`. `batchId` is set when the step puts it in a batch and cleared when it leaves
 * one. A revision that is published replaces the published version, keeping the entry's id, code and history.
 */
function stepped(r: Resource, event: PublicationEvent, to: ResourceStatus, actor: Actor, at: string, extra: { reason?: string; batch?: Batch } = {}): Resource {
  const entry: ReviewStep = {
    event, from: workflowStatus(r, event), to, by: actor.username, byName: actor.displayName, at,
    ...(extra.reason ? { reason: extra.reason } : {}), ...(extra.batch ? { batchNumber: extra.batch.number } : {}),
  };
  const returnReason = event === 'return' ? { returnReason: extra.reason } : {};
  const batchId = to === 'in_batch' || to === 'batch_submitted' ? extra.batch?.id : undefined;
  if (r.status === 'published' && r.revision && event !== 'withdraw') {
    const rev = r.revision;
    if (to === 'published') {
      const review = { steps: [...(r.review?.steps ?? []), ...rev.steps, entry] };
      return { ...rev.content, id: r.id, code: r.code, version: r.version, status: 'published', createdAt: r.createdAt, createdBy: r.createdBy,
        updatedAt: at, updatedBy: actor.username, publishedAt: at, review, ...(r.referrals ? { referrals: r.referrals } : {}) };
    }
    const { batchId: _b, ...kept } = rev;
    return { ...r, revision: { ...kept, status: to, steps: [...rev.steps, entry], ...returnReason, ...(batchId ? { batchId } : {}) } };
  }
  const { batchId: _b, ...review } = r.review ?? { steps: [] };
  return {
    ...r, status: to, updatedAt: at, updatedBy: actor.username,
    review: { ...review, steps: [...review.steps, entry], ...returnReason, ...(batchId ? { batchId } : {}) },
    ...(to === 'published' ? { publishedAt: at } : {}),
  };
}

/** The steps taken on the version an event acts on: the revision's, or the entry's own (withdrawal acts on the published one). */
function versionSteps(r: Resource, event?: PublicationEvent): ReviewStep[] {
  return r.status === 'published' && r.revision && event !== 'withdraw' ? r.revision.steps : r.review?.steps ?? [];
}

/** What this person already decided on the entry's version (four eyes, B24). */
function entryEyes(r: Resource, actor: Actor | undefined, event?: PublicationEvent): FourEyes<PublicationParty> {
  return { deciding: PUBLICATION_DECIDING, decidedAs: actor ? decidedAs(publicationMachine, versionSteps(r, event), 'entry', actor.username) : new Set() };
}

/** The entry as its viewer sees it, with the publication steps they can take on it now. */
export function presentWithSteps(r: Resource, actor: Actor | undefined) {
  const parties = publicationPartiesOf(actor, r.provider.agencyId);
  const actions = available(publicationMachine, workflowStatus(r), parties, 'entry', entryEyes(r, actor)).filter((e) => ENTRY_EVENTS.includes(e));
  // A published entry under revision can still be withdrawn as it stands.
  if (r.status === 'published' && r.revision && available(publicationMachine, 'published', parties, 'entry', entryEyes(r, actor, 'withdraw')).includes('withdraw')) actions.push('withdraw');
  return { ...present(r, actor), actions };
}

export const stepResource = defineAction({
  name: 'resource.step',
  permission: 'signed-in',
  input: (raw) => readStepInput(raw, ENTRY_EVENTS, PUBLICATION_FIELD_LABELS),
  run: async (actor, input, ctx) => {
    const { resource: r } = await loadVisible(ctx, actor, { id: input.id });
    const parties = publicationPartiesOf(actor, r.provider.agencyId);
    const from = workflowStatus(r, input.event);
    const { to } = nextState(publicationMachine, { state: from, kind: 'entry', version: r.version }, input, parties, PUBLICATION_FIELD_LABELS, entryEyes(r, actor, input.event));
    const at = ctx.now().toISOString();
    const reason = input.fields.reason;
    const next = stepped(r, input.event, to, actor!, at, { reason });
    const saved = await ctx.audited({ action: `resource.${input.event}`, object: r.id, outcome: 'success', detail: { code: r.code, from, to, revision: from !== r.status || undefined } },
      (opts) => ctx.store.resources.update(r.id, next, input.version, actor!, opts));
    const agency = saved.provider.agencyId;
    const now = workflowStatus(saved);
    await tellNext(ctx, publicationMachine, { state: now, kind: 'entry' }, (p) => publicationAddresses(p, agency), publicationAddresses('steward', agency), {
      title: `信息资源 ${saved.code} ${saved.name}${saved.revision ? '(修订)' : ''}:${STATUS_LABELS[now]}`, events: PUBLICATION_EVENT_LABELS, link: `/resources/${saved.id}`,
    });
    if (input.event === 'withdraw') await tellGrantHolders(ctx, saved, `已撤销发布:${reason}`);
    return presentWithSteps(saved, actor);
  },
});

/** Where the notices of catalog publication go, per party. */
function publicationAddresses(p: PublicationParty, providerAgencyId: string): string[] {
  if (p === 'steward') return address(providerAgencyId, 'data_steward');
  if (p === 'city_government') return address('*', 'city_approver');
  return address('*', p);
}

/**
 * Agencies holding an active grant on an entry are told when it changes (workflows.md A). Each is told on its own
 * grant, which it can always open and which names the entry, rather than on the entry, which a withdrawal hides (B23).
 */
export async function tellGrantHolders(ctx: ActionContext, r: Resource, what: string): Promise<void> {
  const grants = await ctx.store.grants.list({ where: { and: [{ path: 'resourceIds', eq: r.id }, { path: 'state', in: ['active', 'suspended'] }] }, limit: 1000 });
  for (const g of grants.items) {
    const named = g.resources.find((x) => x.id === r.id)?.name ?? r.name;
    await notify(ctx, address(g.consumerAgencyId, 'agency_staff', 'data_steward'), `您使用的信息资源有变更:${named}(授权 ${g.number})`, what, `/grants/${g.id}`);
  }
}

function batchPartiesOf(actor: Actor | undefined): Set<PublicationParty> {
  const out = new Set<PublicationParty>();
  if (hasRole(actor, 'info_office')) out.add('info_office');
  if (hasRole(actor, 'city_approver')) out.add('city_government');
  return out;
}

/** Whether `actor` took a deciding step on the entry's version as a deciding party other than `party`. */
function decidedOtherwise(r: Resource, actor: Actor, party: PublicationParty): boolean {
  return [...entryEyes(r, actor).decidedAs].some((p) => p !== party && PUBLICATION_DECIDING.has(p));
}

/** What this person already decided on the batch: compiling it is the information office's decision too. */
function batchEyes(b: Batch, actor: Actor | undefined): FourEyes<PublicationParty> {
  if (!actor) return { deciding: PUBLICATION_DECIDING, decidedAs: new Set() };
  const decided = decidedAs(batchMachine, b.steps, 'batch', actor.username);
  if (b.createdBy === actor.username) decided.add('info_office');
  return { deciding: PUBLICATION_DECIDING, decidedAs: decided };
}

export function presentBatch(b: Batch, actor: Actor | undefined) {
  return { ...b, actions: available(batchMachine, b.state, batchPartiesOf(actor), 'batch', batchEyes(b, actor)) };
}

/** The batch an entry (or its revision) is in. */
function batchOf(r: Resource): string | undefined {
  return r.status === 'published' && r.revision ? r.revision.batchId : r.review?.batchId;
}

/**
 * Moves one entry by a batch event, by compare-and-set. An entry that is not (or no longer) in this batch, or not in
 * a state the event leaves, is reported and left; a lost race with another write is retried on the fresh record.
 */
async function moveEntry(ctx: ActionContext, actor: Actor, id: string, event: PublicationEvent, batch: Batch, at: string, reason?: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const r = await ctx.store.resources.get(id);
    if (!r) return `${id}: 已不存在`;
    if (event !== 'batch' && batchOf(r) !== batch.id) return `${r.code}: 不在本批次中`;
    const from = workflowStatus(r, event);
    const t = transitionFor(publicationMachine, from, event, 'entry');
    if (!t) return `${r.code}: 当前状态为 ${STATUS_LABELS[from]}`;
    const revised = r.status === 'published' && !!r.revision;
    let saved: Resource;
    try {
      saved = await ctx.store.resources.update(r.id, stepped(r, event, t.to, actor, at, { reason, batch }), r.version, actor);
    } catch (e) {
      if (e instanceof UniqueViolation && revised && t.to === 'published') {
        // The successor's name was taken by another entry meanwhile: the revision goes back to its steward.
        return sendBack(ctx, actor, r, at, `名称“${r.revision!.content.name}”已被本机关其他资源使用,请修改后重新提交`);
      }
      if (e instanceof ConflictError && !(e instanceof UniqueViolation) && attempt < 3) continue;
      if (e instanceof ConflictError) return `${r.code}: 正被他人修改`;
      throw e;
    }
    if (revised && t.to === 'published') {
      // The successor of a published entry is out: its 一数一源 findings are brought up to date, and whoever holds a
      // grant on it is told.
      await checkOverlaps(saved, ctx, actor);
      await tellGrantHolders(ctx, saved, `已发布修订版(批次 ${batch.number})`);
    }
    return undefined;
  }
}

/** A revision that cannot be published goes back to its steward with the reason, out of the batch. */
async function sendBack(ctx: ActionContext, actor: Actor, r: Resource, at: string, reason: string): Promise<string> {
  const rev = r.revision!;
  const { batchId: _b, ...kept } = rev;
  const entry: ReviewStep = { event: 'return', from: rev.status, to: 'returned', by: actor.username, byName: actor.displayName, at, reason };
  await ctx.store.resources.update(r.id, { ...r, revision: { ...kept, status: 'returned', steps: [...rev.steps, entry], returnReason: reason } }, r.version, actor)
    .catch(() => undefined);
  await notify(ctx, address(r.provider.agencyId, 'data_steward'), `信息资源 ${r.code} ${r.name}(修订):已退回`, reason, `/resources/${r.id}`);
  return `${r.code}: ${reason}`;
}

export const createBatch = defineAction({
  name: 'batch.create',
  permission: ['info_office'],
  input: (raw) => {
    const body = asObject(raw.body, ['resources']);
    const ids = body.resources;
    const errors: FieldError[] = [];
    if (!Array.isArray(ids) || !ids.length || ids.length > 500 || ids.some((x) => typeof x !== 'string' || !/^[\w.:-]{1,64}$/.test(x))) {
      errors.push(fieldError('/resources', 'required', '请选择 1 至 500 项审查通过的信息资源', 'choose 1 to 500 approved resources (ids)'));
    }
    failIf(errors);
    return { ids: [...new Set(ids as string[])] };
  },
  run: async (actor, { ids }, ctx) => {
    const found: Resource[] = [];
    const errors: FieldError[] = [];
    for (const [i, id] of ids.entries()) {
      const r = await ctx.store.resources.get(id);
      if (!r || workflowStatus(r) !== 'approved') errors.push(fieldError(`/resources/${i}`, 'not_approved', '只能编入审查通过的信息资源', 'only approved resources can be batched'));
      // Compiling is the information office's decision: not for whoever reviewed the entry (B24).
      else if (decidedOtherwise(r, actor!, 'info_office')) errors.push(fieldError(`/resources/${i}`, 'four_eyes', '您已以其他身份办理过该资源(四眼原则),请由其他人员编入批次', 'four eyes: you decided on this entry as another party'));
      else found.push(r);
    }
    if (errors.length) throw new ValidationError(errors);
    const at = ctx.now().toISOString();
    const number = await nextNumber(ctx.store, 'PC', ctx.now());
    const batch: Batch = {
      id: `batch-${number.toLowerCase()}`, version: 1, number, state: 'open', kind: 'batch',
      resources: found.map((r) => ({ id: r.id, code: r.code, name: r.name, agencyId: r.provider.agencyId, agencyName: r.provider.name })),
      resourceIds: found.map((r) => r.id), steps: [], createdAt: at, updatedAt: at, createdBy: actor!.username,
    };
    const saved = await ctx.audited({ action: 'batch.create', object: batch.id, outcome: 'success', detail: { number, resources: batch.resourceIds.length } },
      (opts) => ctx.store.batches.create(batch, actor!, opts));
    const skipped: string[] = [];
    const left = new Set<string>();
    for (const r of found) {
      const why = await moveEntry(ctx, actor!, r.id, 'batch', saved, at);
      if (why) {
        skipped.push(why);
        left.add(r.id);
      }
    }
    // The batch lists only what is in it: entries another batch or writer took meanwhile are dropped from it.
    const final = left.size
      ? await ctx.store.batches.update(saved.id, { ...saved, resources: saved.resources.filter((x) => !left.has(x.id)), resourceIds: saved.resourceIds.filter((x) => !left.has(x)) }, saved.version, actor!)
      : saved;
    return { ...presentBatch(final, actor), skipped };
  },
});

export const stepBatch = defineAction({
  name: 'batch.step',
  permission: ['info_office', 'city_approver'],
  input: (raw) => readStepInput(raw, BATCH_EVENTS, PUBLICATION_FIELD_LABELS),
  run: async (actor, input, ctx) => {
    const b = await ctx.store.batches.get(input.id);
    if (!b) throw new NotFoundError('batch');
    const { to } = nextState(batchMachine, b, input, batchPartiesOf(actor), PUBLICATION_FIELD_LABELS, batchEyes(b, actor));
    // Deciding on a batch decides on each of its entries: whoever decided on one of them as another party before
    // (reviewed it, or accepted it and now approves the batch) does not take this step on the batch that carries it.
    const party = transitionFor(batchMachine, b.state, input.event, 'batch')!.by;
    const decided: string[] = [];
    for (const id of b.resourceIds) {
      const r = await ctx.store.resources.get(id);
      if (r && decidedOtherwise(r, actor!, party)) decided.push(r.code);
    }
    if (decided.length) {
      throw new ForbiddenError(`同一人不能在同一事项上作出两个环节的决定(四眼原则):您已以其他身份办理过 ${decided.join('、')},请由其他人员办理本批次`,
        `four eyes: you decided on ${decided.join(', ')} as another party; someone else must do this on the batch`);
    }
    const at = ctx.now().toISOString();
    const step: WorkflowStep<BatchState> = {
      event: input.event, from: b.state, to, by: actor!.username, byName: actor!.displayName, byAgencyId: actor!.agencyId, at,
      ...(Object.keys(input.fields).length ? { fields: input.fields } : {}),
    };
    // The batch moves first, by compare-and-set: of two decisions on it only one goes on to move its entries.
    const saved = await ctx.audited({ action: `batch.${input.event}`, object: b.id, outcome: 'success', detail: { number: b.number, from: b.state, to } },
      (opts) => ctx.store.batches.update(b.id, { ...b, state: to, steps: [...b.steps, step], updatedAt: at }, input.version, actor!, opts));
    const skipped: string[] = [];
    for (const id of b.resourceIds) {
      const why = await moveEntry(ctx, actor!, id, BATCH_ENTRY_EVENT[input.event], saved, at, input.fields.reason);
      if (why) skipped.push(why);
    }
    const title = `发布批次 ${saved.number}:${BATCH_STATE_LABELS[saved.state]}`;
    await tellNext(ctx, batchMachine, saved, (p) => publicationAddresses(p, ''), address('*', 'info_office'), { title, events: BATCH_EVENT_LABELS, link: `/batches/${saved.id}` });
    if (saved.state !== 'submitted') {
      // Each agency's stewards hear of their own entries only: the others' are unpublished, and do not exist for them
      // (B23). The link is their entry, which they can open; the batch page is the deciding bodies'.
      for (const agencyId of new Set(saved.resources.map((x) => x.agencyId))) {
        const own = saved.resources.filter((x) => x.agencyId === agencyId);
        await notify(ctx, address(agencyId, 'data_steward'), title, own.map((x) => `${x.code} ${x.name}`).join('、'), own.length === 1 ? `/resources/${own[0].id}` : `/resources?agency=${agencyId}`);
      }
    }
    return { ...presentBatch(saved, actor), skipped };
  },
});

/** 市信息办 takes an entry out of a batch it has not submitted yet: the entry is approved and waiting again. */
export const removeFromBatch = defineAction({
  name: 'batch.remove',
  permission: ['info_office'],
  input: (raw) => {
    const errors: FieldError[] = [];
    const version = readVersion(asObject(raw.body, ['version']), errors);
    failIf(errors);
    return { id: readId(raw.params), resourceId: readId(raw.params, 'resourceId'), version };
  },
  run: async (actor, { id, resourceId, version }, ctx) => {
    const b = await ctx.store.batches.get(id);
    if (!b) throw new NotFoundError('batch');
    if (b.version !== version) throw new ConflictError('该批次已被他人修改,请刷新后再试', 'the batch changed since you read it', b.version);
    if (b.state !== 'open') throw new ConflictError('已报送的批次不能再调整', 'a submitted batch cannot change', b.version);
    if (!b.resourceIds.includes(resourceId)) throw new NotFoundError('resource');
    const at = ctx.now().toISOString();
    const saved = await ctx.audited({ action: 'batch.remove', object: b.id, outcome: 'success', detail: { number: b.number, resource: resourceId } },
      (opts) => ctx.store.batches.update(b.id, { ...b, resources: b.resources.filter((x) => x.id !== resourceId), resourceIds: b.resourceIds.filter((x) => x !== resourceId), updatedAt: at }, version, actor!, opts));
    const why = await moveEntry(ctx, actor!, resourceId, 'unbatch', saved, at);
    return { ...presentBatch(saved, actor), skipped: why ? [why] : [] };
  },
});

export const getBatch = defineAction({
  name: 'batch.get',
  permission: ['info_office', 'reviewer', 'city_approver'],
  input: (raw) => ({ id: readId(raw.params) }),
  run: async (actor, { id }, ctx) => {
    const b = await ctx.store.batches.get(id);
    if (!b) throw new NotFoundError('batch');
    return presentBatch(b, actor);
  },
});

export const listBatches = defineAction({
  name: 'batch.list',
  permission: ['info_office', 'reviewer', 'city_approver'],
  input: (raw) => readQuery(raw.query, { state: ['open', 'submitted', 'approved', 'rejected'], offset: 'int', limit: 'int' }),
  run: async (actor, q, ctx) => {
    const page = await ctx.store.batches.list({ where: q.state ? { path: 'state', eq: q.state } : undefined, sort: [{ path: 'updatedAt', dir: 'desc' }], ...paging(q) });
    return { ...page, items: page.items.map((b) => presentBatch(b, actor)) };
  },
});
