import { classificationCode, resourceCode } from '../../domain/codes.ts';
import { ConflictError, ForbiddenError, UniqueViolation, ValidationError, fieldError } from '../../domain/errors.ts';
import { EDITABLE_STATUSES, STATUS_LABELS } from '../../domain/vocab.ts';
import { canWriteResource } from '../../domain/visibility.ts';
import type { Resource, Revision } from '../../domain/resource.ts';
import type { Actor } from '../../domain/roles.ts';
import { defineAction } from '../define.ts';
import { readExpectedVersion, readId } from '../input.ts';
import {
  authorityFor, buildResource, checkOverlaps, duplicateName, ensureNameFree, loadVisible, present, refuseReadOnly,
  validateAgainstStore,
} from './catalog.ts';

/** The successor of a published entry as edited now (its review so far is kept). */
function revisionOf(prev: Resource, built: Resource, actor: Actor, now: Date): Revision {
  const { revision: _r, review: _v, referrals: _q, currentAsOf: _c, ...content } = built;
  const cur = prev.revision;
  return { status: cur?.status ?? 'draft', steps: cur?.steps ?? [], startedAt: cur?.startedAt ?? now.toISOString(), startedBy: cur?.startedBy ?? actor.username, content: { ...content, status: 'published' } };
}

/** Full replacement of the editable fields, based on the version the editor read (409 when it is stale). */
export default defineAction({
  name: 'resource.update',
  permission: ['data_steward'],
  input: (raw) => {
    refuseReadOnly(raw.body, true);
    const expectedVersion = readExpectedVersion(raw.headers, raw.body, raw.query);
    const body = { ...(raw.body as Record<string, unknown>) };
    delete body.version;
    return { id: readId(raw.params), expectedVersion, body };
  },
  authorize: async (actor, input, ctx) => {
    const { resource } = await loadVisible(ctx, actor, { id: input.id });
    if (!canWriteResource(actor, resource.provider.agencyId)) throw new ForbiddenError('只能修改本机关的信息资源', 'stewards edit resources of their own agency only');
    // A published entry is changed through a revision that goes through review; the published version stays.
    const editing = resource.status === 'published' ? resource.revision?.status ?? 'draft' : resource.status;
    if (!EDITABLE_STATUSES.includes(editing)) {
      // A submitted entry (or revision) is in the hands of the reviewers; changing it in place would bypass review.
      throw new ConflictError(`信息资源当前状态为“${STATUS_LABELS[editing]}”,不能直接修改`, `a resource that is ${editing} cannot be edited in place`);
    }
    const agencyId = (input.body as { provider?: { agencyId?: unknown } }).provider?.agencyId;
    if (typeof agencyId === 'string' && agencyId !== resource.provider.agencyId) {
      throw new ForbiddenError('不能把信息资源转给其他机关', 'a resource cannot be moved to another agency');
    }
  },
  run: async (actor, { id, expectedVersion, body }, ctx) => {
    const input = await validateAgainstStore(body, ctx, actor);
    const { resource: prev } = await loadVisible(ctx, actor, { id });
    await ensureNameFree(input, ctx, id);
    const node = classificationCode(input.classification);
    let code = prev.code;
    if (node !== prev.classNode) {
      // The code is derived from the node until the entry is published; after that it never changes.
      if (prev.publishedAt || prev.status === 'published') {
        throw new ValidationError([fieldError('/classification', 'immutable', '已发布的信息资源不能更改分类(资源代码已固定)', 'a published resource keeps its classification: its code is fixed')]);
      }
      code = resourceCode(node, await ctx.store.resources.nextSequence(node));
    }
    const agency = (await ctx.store.agencies.get(input.provider.agencyId))!;
    const built = buildResource(input, prev, { code, agency, actor: actor!, now: ctx.now(), authority: authorityFor(input, ctx) });
    const next: Resource = prev.status === 'published' ? { ...prev, revision: revisionOf(prev, built, actor!, ctx.now()) } : built;
    let saved;
    try {
      saved = await ctx.audited({ action: 'resource.update', object: `resource:${id}`, outcome: 'success', detail: { basedOn: expectedVersion } },
        (opts) => ctx.store.resources.update(id, next, expectedVersion, actor!, opts));
    } catch (e) {
      if (e instanceof UniqueViolation && e.keys.includes('nameKey')) throw duplicateName(input.name);
      throw e;
    }
    // A revision's overlaps are looked at when it is published; the published version's findings stand meanwhile.
    const overlaps = saved.revision ? [] : await checkOverlaps(saved, ctx, actor!);
    ctx.search?.sync.kick();
    return { resource: present(saved, actor), overlaps };
  },
});
