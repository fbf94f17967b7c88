// A steward's care of their entries between the big steps (workflows.md A): asking the review authority whether
// something may be shared (a referral, answered and kept on the entry), confirming an entry is current when its
// update cycle comes round, and the dashboard that says what needs doing.

import { ConflictError, type FieldError, ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import { staleDays } from '../../domain/freshness.ts';
import type { Referral, Resource } from '../../domain/resource.ts';
import { type Actor, hasRole } from '../../domain/roles.ts';
import { type ActionContext, defineAction } from '../define.ts';
import { readId } from '../input.ts';
import { address, notify } from '../notices.ts';
import { asObject, failIf, readVersion, text } from '../sharing/terms.ts';
import { loadVisible } from './catalog.ts';
import { presentWithSteps } from './publish.ts';

const ownSteward = (actor: Actor | undefined, r: Resource) => hasRole(actor, 'data_steward') && actor!.agencyId === r.provider.agencyId;

async function current(ctx: ActionContext, actor: Actor | undefined, id: string, version: number): Promise<Resource> {
  const { resource } = await loadVisible(ctx, actor, { id });
  if (resource.version !== version) throw new ConflictError('该资源已被修改,请刷新后再试', 'the entry changed since you read it; reload and try again', resource.version);
  return resource;
}

export const askReferral = defineAction({
  name: 'resource.referral.ask',
  permission: ['data_steward'],
  input: (raw) => {
    const body = asObject(raw.body, ['question', 'version']);
    const errors: FieldError[] = [];
    const question = text(body, 'question', ['问题', 'question'], errors);
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), question, version };
  },
  run: async (actor, { id, question, version }, ctx) => {
    const r = await current(ctx, actor, id, version);
    if (!ownSteward(actor, r)) throw new ForbiddenError('只有本单位的数据管理员可以提请', 'only the entry\'s own data steward refers it');
    const at = ctx.now().toISOString();
    const referral: Referral = { id: `q${(r.referrals?.length ?? 0) + 1}`, question, askedBy: actor!.username, askedAt: at };
    const saved = await ctx.audited({ action: 'resource.referral', object: r.id, outcome: 'success', detail: { code: r.code } },
      (opts) => ctx.store.resources.update(r.id, { ...r, referrals: [...(r.referrals ?? []), referral] }, version, actor!, opts));
    await notify(ctx, address('*', 'reviewer'), `共享提请:${r.name}`, question, `/resources/${r.id}`);
    return presentWithSteps(saved, actor);
  },
});

export const answerReferral = defineAction({
  name: 'resource.referral.answer',
  permission: ['reviewer'],
  input: (raw) => {
    const body = asObject(raw.body, ['answer', 'version']);
    const errors: FieldError[] = [];
    const answer = text(body, 'answer', ['答复', 'answer'], errors);
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), referralId: readId(raw.params, 'referralId'), answer, version };
  },
  run: async (actor, { id, referralId, answer, version }, ctx) => {
    const r = await current(ctx, actor, id, version);
    if (actor!.agencyId === r.provider.agencyId) throw new ForbiddenError('不能答复本单位的提请', 'nobody answers their own agency\'s referral');
    const q = r.referrals?.find((x) => x.id === referralId);
    if (!q) throw new NotFoundError('referral');
    if (q.answer) throw new ConflictError('已答复', 'already answered', r.version);
    const at = ctx.now().toISOString();
    const referrals = r.referrals!.map((x) => (x.id === referralId ? { ...x, answer, answeredBy: actor!.username, answeredAt: at } : x));
    const saved = await ctx.audited({ action: 'resource.referral.answer', object: r.id, outcome: 'success', detail: { code: r.code, referral: referralId } },
      (opts) => ctx.store.resources.update(r.id, { ...r, referrals }, version, actor!, opts));
    await notify(ctx, address(r.provider.agencyId, 'data_steward'), `共享提请已答复:${r.name}`, answer, `/resources/${r.id}`);
    return presentWithSteps(saved, actor);
  },
});

export const confirmCurrent = defineAction({
  name: 'resource.confirmCurrent',
  permission: ['data_steward'],
  input: (raw) => {
    const errors: FieldError[] = [];
    const version = readVersion(asObject(raw.body, ['version']), errors);
    failIf(errors);
    return { id: readId(raw.params), version };
  },
  run: async (actor, { id, version }, ctx) => {
    const r = await current(ctx, actor, id, version);
    if (!ownSteward(actor, r)) throw new ForbiddenError();
    if (r.status !== 'published') throw new ConflictError('只有已发布的资源需要确认更新', 'only published entries are confirmed current', r.version);
    const saved = await ctx.audited({ action: 'resource.confirmCurrent', object: r.id, outcome: 'success', detail: { code: r.code } },
      (opts) => ctx.store.resources.update(r.id, { ...r, currentAsOf: ctx.now().toISOString() }, version, actor!, opts));
    return presentWithSteps(saved, actor);
  },
});

/** What needs doing, for the viewer: a steward's stale, returned and referred entries and requests waiting on the agency. */
export const dashboard = defineAction({
  name: 'dashboard',
  permission: 'signed-in',
  input: () => ({}),
  run: async (actor, _input, ctx) => {
    const agency = actor!.agencyId;
    const out: Record<string, unknown> = {};
    if (hasRole(actor, 'data_steward')) {
      const mine = await ctx.store.resources.list({ where: { path: 'provider.agencyId', eq: agency }, limit: 5000 });
      const now = ctx.now();
      const brief = (r: Resource) => ({ id: r.id, code: r.code, name: r.name, status: r.status, updateCycle: r.updateCycle });
      out.stale = mine.items.map((r) => ({ r, days: staleDays(r, now) })).filter((x) => x.days > 0).sort((a, b) => b.days - a.days)
        .map(({ r, days }) => ({ ...brief(r), staleDays: days }));
      out.returned = mine.items.filter((r) => r.status === 'returned').map((r) => ({ ...brief(r), reason: r.review?.returnReason }));
      out.answeredReferrals = mine.items.filter((r) => r.referrals?.some((q) => q.answer)).map(brief);
      out.awaitingReply = await ctx.store.requests.count({ and: [{ path: 'providerAgencyId', eq: agency }, { path: 'state', in: ['contact_sheet_issued', 'refusal_overruled', 'task_order_issued'] }] });
    }
    if (hasRole(actor, 'agency_staff', 'data_steward')) {
      out.myRequestsOpen = await ctx.store.requests.count({ and: [{ path: 'applicantAgencyId', eq: agency }, { path: 'state', in: ['draft', 'submitted', 'under_review', 'contact_sheet_issued', 'provided', 'refused', 'coordinating', 'refusal_overruled', 'task_order_issued'] }] });
    }
    if (hasRole(actor, 'info_office')) {
      out.toAccept = await ctx.store.requests.count({ path: 'state', in: ['submitted', 'provided'] });
      // A published entry's revision waits like a new entry does.
      const at = (status: string) => ({ or: [{ path: 'status', eq: status }, { path: 'revision.status', eq: status }] });
      out.entriesToAccept = await ctx.store.resources.count(at('submitted'));
      out.toBatch = await ctx.store.resources.count(at('approved'));
    }
    if (hasRole(actor, 'reviewer')) {
      out.toReview = await ctx.store.requests.count({ path: 'state', in: ['under_review', 'refused', 'coordinating'] });
      out.entriesToReview = await ctx.store.resources.count({ or: [{ path: 'status', eq: 'under_review' }, { path: 'revision.status', eq: 'under_review' }] });
      const open = await ctx.store.resources.list({ where: { path: 'status', in: ['draft', 'returned', 'submitted', 'under_review'] }, limit: 5000 });
      out.referrals = open.items.filter((r) => r.referrals?.some((q) => !q.answer)).map((r) => ({ id: r.id, code: r.code, name: r.name }));
    }
    return out;
  },
});
