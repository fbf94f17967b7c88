// Obligations after the grant (seed §六(三), workflows.md B): onward provision outside the agreement needs the
// provider's written consent, asked on the grant and answered by the provider; misuse found by 市信息办 is recorded
// with a rectification order (整改) and possibly a notice of criticism (通报批评), and may suspend the grant at once.
// Each is one compare-and-set write on the grant, audited first.

import { ConflictError, type FieldError, ForbiddenError, NotFoundError, fieldError } from '../../domain/errors.ts';
import { type Actor, hasRole } from '../../domain/roles.ts';
import type { Consent, Grant, Violation, WorkflowStep } from '../../domain/workflow/entities.ts';
import type { GrantState } from '../../domain/workflow/grant.ts';
import { cityDate } from '../../domain/calendar.ts';
import { defineAction } from '../define.ts';
import { readId } from '../input.ts';
import { address, notify } from '../notices.ts';
import { canSeeGrant, presentGrant } from './grants.ts';
import { asObject, failIf, readVersion, text } from './terms.ts';

/**
 * The grant, once the actor is known to hold `role` on it: a grant they may not see does not exist for them (404),
 * one they see but have no part in is 403, and only then is the version compared (409).
 */
async function loadGrant(store: { grants: { get(id: string): Promise<Grant | undefined> } }, actor: Actor | undefined, id: string, version: number, role: (a: Actor | undefined, g: Grant) => boolean): Promise<Grant> {
  const g = await store.grants.get(id);
  if (!g || !canSeeGrant(actor, g)) throw new NotFoundError('grant');
  if (!role(actor, g)) throw new ForbiddenError();
  if (g.version !== version) throw new ConflictError('该授权已被他人处理,请刷新后再试', 'the grant changed since you read it; reload and try again', g.version);
  return g;
}

export const isConsumer = (actor: Actor | undefined, g: Grant) => !!actor && actor.agencyId === g.consumerAgencyId && hasRole(actor, 'agency_staff', 'data_steward');
export const isProvider = (actor: Actor | undefined, g: Grant) => !!actor && actor.agencyId === g.providerAgencyId && actor.agencyId !== g.consumerAgencyId && hasRole(actor, 'data_steward');
export const isOffice = (actor: Actor | undefined, g: Grant) => !!actor && actor.agencyId !== g.consumerAgencyId && hasRole(actor, 'info_office');

export const askConsent = defineAction({
  name: 'grant.consent.ask',
  permission: ['agency_staff', 'data_steward'],
  input: (raw) => {
    const body = asObject(raw.body, ['recipient', 'purpose', 'version']);
    const errors: FieldError[] = [];
    const recipient = text(body, 'recipient', ['拟提供的单位', 'recipient'], errors, true, true);
    const purpose = text(body, 'purpose', ['提供用途', 'purpose'], errors);
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), recipient, purpose, version };
  },
  run: async (actor, { id, recipient, purpose, version }, ctx) => {
    const g = await loadGrant(ctx.store, actor, id, version, isConsumer);
    if (g.state !== 'active') throw new ConflictError('授权不在有效期内,不能申请向第三方提供', 'only an active grant can ask for onward consent', g.version);
    const at = ctx.now().toISOString();
    const consent: Consent = { id: `c${(g.consents?.length ?? 0) + 1}`, recipient, purpose, state: 'pending', requestedAt: at, requestedBy: actor!.username };
    const saved = await ctx.audited({ action: 'grant.consent.ask', object: g.id, outcome: 'success', detail: { number: g.number, recipient } },
      (opts) => ctx.store.grants.update(g.id, { ...g, consents: [...(g.consents ?? []), consent], updatedAt: at }, version, actor!, opts));
    await notify(ctx, address(g.providerAgencyId, 'data_steward'), `授权 ${g.number}:申请向第三方提供`, `${recipient}:${purpose}`, `/grants/${g.id}`);
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});

export const answerConsent = defineAction({
  name: 'grant.consent.answer',
  permission: ['data_steward'],
  input: (raw) => {
    const body = asObject(raw.body, ['decision', 'answer', 'version']);
    const errors: FieldError[] = [];
    if (body.decision !== 'granted' && body.decision !== 'refused') errors.push(fieldError('/decision', 'enum', '请选择同意或不同意', 'decision must be granted or refused'));
    const answer = text(body, 'answer', ['书面意见', 'answer'], errors);
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), consentId: readId(raw.params, 'consentId'), decision: body.decision as 'granted' | 'refused', answer, version };
  },
  run: async (actor, { id, consentId, decision, answer, version }, ctx) => {
    const g = await loadGrant(ctx.store, actor, id, version, isProvider);
    const c = g.consents?.find((x) => x.id === consentId);
    if (!c) throw new NotFoundError('consent');
    if (c.state !== 'pending') throw new ConflictError('该申请已答复', 'this consent request was answered already', g.version);
    const at = ctx.now().toISOString();
    const consents = g.consents!.map((x) => (x.id === consentId ? { ...x, state: decision, answer, answeredAt: at, answeredBy: actor!.username } : x));
    const saved = await ctx.audited({ action: 'grant.consent.answer', object: g.id, outcome: 'success', detail: { number: g.number, consent: consentId, decision } },
      (opts) => ctx.store.grants.update(g.id, { ...g, consents, updatedAt: at }, version, actor!, opts));
    await notify(ctx, address(g.consumerAgencyId, 'agency_staff', 'data_steward'), `授权 ${g.number}:向第三方提供${decision === 'granted' ? '已同意' : '未同意'}`, answer, `/grants/${g.id}`);
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});

export const recordViolation = defineAction({
  name: 'grant.violation.record',
  permission: ['info_office'],
  input: (raw) => {
    const body = asObject(raw.body, ['description', 'rectification', 'notice', 'suspend', 'version']);
    const errors: FieldError[] = [];
    const description = text(body, 'description', ['违规情况', 'what was found'], errors);
    const rectification = text(body, 'rectification', ['整改要求', 'rectification ordered'], errors);
    for (const k of ['notice', 'suspend'] as const) {
      if (body[k] !== undefined && typeof body[k] !== 'boolean') errors.push(fieldError(`/${k}`, 'type', '应为是或否', `${k} must be true or false`));
    }
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), description, rectification, notice: body.notice === true, suspend: body.suspend === true, version };
  },
  run: async (actor, { id, description, rectification, notice, suspend, version }, ctx) => {
    const g = await loadGrant(ctx.store, actor, id, version, isOffice);
    const at = ctx.now().toISOString();
    const v: Violation = { id: `v${(g.violations?.length ?? 0) + 1}`, description, rectification, notice, recordedAt: at, recordedBy: actor!.username };
    let next: Grant = { ...g, violations: [...(g.violations ?? []), v], updatedAt: at };
    if (suspend) {
      if (g.state !== 'active') throw new ConflictError('只有有效的授权可以暂停', 'only an active grant can be suspended', g.version);
      const step: WorkflowStep<GrantState> = { event: 'suspend', from: g.state, to: 'suspended', by: actor!.username, byName: actor!.displayName, byAgencyId: actor!.agencyId, at, fields: { reason: description } };
      next = { ...next, state: 'suspended', steps: [...g.steps, step] };
    }
    const saved = await ctx.audited({ action: 'grant.violation', object: g.id, outcome: 'success', detail: { number: g.number, notice, suspend } },
      (opts) => ctx.store.grants.update(g.id, next, version, actor!, opts));
    await notify(ctx, address(g.consumerAgencyId, 'agency_staff', 'data_steward'), `授权 ${g.number}:责令整改${notice ? '并通报批评' : ''}${suspend ? ',授权已暂停' : ''}`, rectification, `/grants/${g.id}`);
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});

export const confirmRectified = defineAction({
  name: 'grant.violation.rectified',
  permission: ['info_office'],
  input: (raw) => {
    const body = asObject(raw.body, ['note', 'version']);
    const errors: FieldError[] = [];
    const note = text(body, 'note', ['整改情况', 'what was done'], errors);
    const version = readVersion(body, errors);
    failIf(errors);
    return { id: readId(raw.params), violationId: readId(raw.params, 'violationId'), note, version };
  },
  run: async (actor, { id, violationId, note, version }, ctx) => {
    const g = await loadGrant(ctx.store, actor, id, version, isOffice);
    const v = g.violations?.find((x) => x.id === violationId);
    if (!v) throw new NotFoundError('violation');
    if (v.rectifiedAt) throw new ConflictError('已确认整改', 'already confirmed', g.version);
    const at = ctx.now().toISOString();
    const violations = g.violations!.map((x) => (x.id === violationId ? { ...x, rectifiedAt: at, rectifiedNote: note } : x));
    const saved = await ctx.audited({ action: 'grant.violation.rectified', object: g.id, outcome: 'success', detail: { number: g.number, violation: violationId } },
      (opts) => ctx.store.grants.update(g.id, { ...g, violations, updatedAt: at }, version, actor!, opts));
    return presentGrant(saved, actor, cityDate(ctx.now()));
  },
});
