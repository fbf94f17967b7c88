// What creating and editing a catalog entry share: the secrecy screen, validation against reference data, the
// stored shape, and the 一数一源 check. Kept apart from the action files so create and update cannot drift.

import { randomUUID } from 'node:crypto';
import { classificationCode } from '../../domain/codes.ts';
import { BadRequestError, NotFoundError, ValidationError, fieldError } from '../../domain/errors.ts';
import { type Overlap, authorityItems, findOverlaps, foldedItems } from '../../domain/overlap.ts';
import {
  DERIVED_FIELDS, READ_ONLY_FIELDS, type Resource, type ResourceInput, nameKey, publicView, validateResourceInput,
} from '../../domain/resource.ts';
import { type Actor, DECIDING_ROLES, hasRole } from '../../domain/roles.ts';
import { type ResourceVisibility, canSeeResource, resourceVisibility } from '../../domain/visibility.ts';
import type { ActionContext } from '../define.ts';

/** Refuses a body that sets fields the system owns (B4: mass assignment is a 400, never silently applied). */
export function refuseReadOnly(body: unknown, allowVersion: boolean): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const o = body as Record<string, unknown>;
  const bad = [...READ_ONLY_FIELDS, ...DERIVED_FIELDS, ...(allowVersion ? [] : ['version'])].filter((k) => k in o);
  if (o.provider && typeof o.provider === 'object' && 'code' in (o.provider as object)) bad.push('provider/code' as never);
  if (bad.length) {
    throw new BadRequestError('请求中包含由系统维护的字段', 'the request sets fields the system maintains',
      bad.map((k) => fieldError(`/${k}`, 'read_only', `字段 ${k} 由系统维护,不能提交`, `${k} is maintained by the system`)));
  }
}

/** Validates a submitted record, looking up first what validation needs from the store. */
export async function validateAgainstStore(body: unknown, ctx: ActionContext, actor: Actor | undefined): Promise<ResourceInput> {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, any>;
  const cls = o.classification && typeof o.classification === 'object' ? o.classification : undefined;
  const nodeCode = cls ? classificationCode(cls) : '';
  const nodeExists = typeof nodeCode === 'string' && nodeCode.length > 0 && nodeCode.length <= 30
    ? !!(await ctx.store.classification.getBy('code', nodeCode)) : false;
  const agencyId = typeof o.provider?.agencyId === 'string' ? o.provider.agencyId : undefined;
  const agency = agencyId ? await ctx.store.agencies.get(agencyId) : undefined;
  const related = Array.isArray(o.relatedCodes) ? o.relatedCodes.filter((c: unknown): c is string => typeof c === 'string').slice(0, 100) : [];
  const existing = new Set<string>();
  // A code the steward may not see does not exist for them (B7): linking it must not reveal it.
  const visibility = resourceVisibility(actor);
  for (const c of related) {
    const r = await ctx.store.resources.getBy('code', c);
    if (r && canSeeResource(visibility, r)) existing.add(c);
  }

  const { value, errors } = validateResourceInput(body, {
    classificationExists: (code) => code === nodeCode && nodeExists,
    agency: (id) => (agency && agency.id === id ? { id: agency.id, code: agency.code, name: agency.name } : undefined),
    resourceCodeExists: (code) => existing.has(code),
  });
  if (errors.length || !value) throw new ValidationError(errors);
  return value;
}

export async function ensureNameFree(input: ResourceInput, ctx: ActionContext, exceptId?: string): Promise<void> {
  const clash = await ctx.store.resources.list({
    where: { and: [{ path: 'provider.agencyId', eq: input.provider.agencyId }, { path: 'nameKey', eq: nameKey(input.name) }] }, limit: 2,
  });
  if (clash.items.some((r) => r.id !== exceptId)) throw duplicateName(input.name);
}

export function duplicateName(name: string): ValidationError {
  return new ValidationError([fieldError('/name', 'duplicate_name', `本机关已登记同名信息资源“${name}”`, `this agency already has a resource named "${name}"`)]);
}

export function buildResource(input: ResourceInput, prev: Resource | undefined, extra: {
  code: string; agency: { code: string; name: string }; actor: Actor; now: Date; authority: string[];
}): Resource {
  const at = extra.now.toISOString();
  return {
    ...input,
    id: prev?.id ?? randomUUID(),
    code: extra.code,
    provider: { ...input.provider, code: extra.agency.code, name: extra.agency.name },
    status: prev?.status ?? 'draft',
    version: prev?.version ?? 1,
    createdAt: prev?.createdAt ?? at,
    createdBy: prev?.createdBy ?? extra.actor.username,
    updatedAt: at,
    updatedBy: extra.actor.username,
    ...(prev?.publishedAt ? { publishedAt: prev.publishedAt } : {}),
    ...(prev?.review ? { review: prev.review } : {}),
    ...(prev?.referrals ? { referrals: prev.referrals } : {}),
    ...(prev?.currentAsOf ? { currentAsOf: prev.currentAsOf } : {}),
    nameKey: nameKey(input.name),
    classNode: classificationCode(input.classification),
    authorityItems: extra.authority,
  };
}

/**
 * Finds the 一数一源 overlaps of a saved entry and records them for reviewers, replacing the entry's earlier open
 * findings. Only published authorities count: a draft of another agency does not exist for this steward.
 */
export async function checkOverlaps(r: Resource, ctx: ActionContext, actor: Actor): Promise<Overlap[]> {
  const items = foldedItems(ctx.synonyms, r);
  if (!items.length) return [];
  const authorities = await ctx.store.resources.list({
    where: { and: [{ path: 'authorityItems', in: items }, { path: 'status', eq: 'published' }] }, limit: 1000,
  });
  const overlaps = findOverlaps(ctx.synonyms, r, authorities.items);
  const ref = { userId: actor.userId, username: actor.username };
  const previous = await ctx.store.overlaps.list({ where: { and: [{ path: 'resourceId', eq: r.id }, { path: 'status', eq: 'open' }] }, limit: 1000 });
  for (const f of previous.items) await ctx.store.overlaps.remove(f.id, f.version, ref);
  if (overlaps.length) {
    await ctx.store.overlaps.createMany(overlaps.map((o) => ({
      ...o, id: randomUUID(), version: 1, resourceId: r.id, resourceCode: r.code, agencyId: r.provider.agencyId,
      status: 'open' as const, createdAt: ctx.now().toISOString(),
    })), ref);
  }
  return overlaps;
}

export function authorityFor(input: ResourceInput, ctx: ActionContext): string[] {
  return authorityItems(ctx.synonyms, input);
}

/** The API view of an entry for this viewer: derived fields dropped, the anonymous view reduced to public fields. */
export function present(r: Resource, actor: Actor | undefined): Partial<Resource> {
  const { nameKey: _n, classNode: _c, authorityItems: _a, revision, review, referrals, currentAsOf, ...rest } = r;
  // The review (who decided, why it was returned), the referrals and a change under way are the provider's and the
  // deciding bodies' business; everyone else sees the entry as published.
  const insider = !!actor && ((hasRole(actor, 'data_steward') && actor.agencyId === r.provider.agencyId) || hasRole(actor, ...DECIDING_ROLES));
  if (!insider) return actor ? rest : publicView(rest as Resource);
  const inside = { ...rest, ...(review ? { review } : {}), ...(referrals ? { referrals } : {}), ...(currentAsOf ? { currentAsOf } : {}) };
  if (!revision) return inside;
  const { nameKey: _rn, classNode: _rc, authorityItems: _ra, ...content } = revision.content;
  return { ...inside, revision: { ...revision, content: content as Resource } };
}

/** Loads an entry the viewer may see; anything else does not exist for them (B7: 404, not 403). */
export async function loadVisible(ctx: ActionContext, actor: Actor | undefined, by: { id?: string; code?: string }): Promise<{ resource: Resource; visibility: ResourceVisibility }> {
  const r = by.id ? await ctx.store.resources.get(by.id) : await ctx.store.resources.getBy('code', by.code!);
  const visibility = resourceVisibility(actor);
  if (!r || !canSeeResource(visibility, r)) throw new NotFoundError('resource');
  return { resource: r, visibility };
}
