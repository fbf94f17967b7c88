import { ForbiddenError, UniqueViolation } from '../../domain/errors.ts';
import { classificationCode, resourceCode } from '../../domain/codes.ts';
import { canWriteResource } from '../../domain/visibility.ts';
import { defineAction } from '../define.ts';
import {
  authorityFor, buildResource, checkOverlaps, duplicateName, ensureNameFree, present, refuseReadOnly, validateAgainstStore,
} from './catalog.ts';

export default defineAction({
  name: 'resource.create',
  permission: ['data_steward'],
  input: (raw) => {
    refuseReadOnly(raw.body, false);
    return raw.body;
  },
  authorize: (actor, body) => {
    const agencyId = (body as { provider?: { agencyId?: unknown } } | undefined)?.provider?.agencyId;
    if (typeof agencyId === 'string' && !canWriteResource(actor, agencyId)) {
      throw new ForbiddenError('只能登记本机关的信息资源', 'stewards register resources of their own agency only');
    }
  },
  run: async (actor, body, ctx) => {
    const input = await validateAgainstStore(body, ctx, actor);
    if (!canWriteResource(actor, input.provider.agencyId)) throw new ForbiddenError('只能登记本机关的信息资源', 'stewards register resources of their own agency only');
    await ensureNameFree(input, ctx);
    const agency = (await ctx.store.agencies.get(input.provider.agencyId))!;
    const node = classificationCode(input.classification);
    const code = resourceCode(node, await ctx.store.resources.nextSequence(node));
    const doc = buildResource(input, undefined, { code, agency, actor: actor!, now: ctx.now(), authority: authorityFor(input, ctx) });
    let saved;
    try {
      saved = await ctx.audited({ action: 'resource.create', object: `resource:${doc.id}`, outcome: 'success', detail: { code: doc.code } }, (opts) => ctx.store.resources.create(doc, actor!, opts));
    } catch (e) {
      if (e instanceof UniqueViolation && e.keys.includes('nameKey')) throw duplicateName(input.name);
      throw e;
    }
    const overlaps = await checkOverlaps(saved, ctx, actor!);
    // The change is in the store's feed already; waking the indexer makes it searchable at once.
    ctx.search?.sync.kick();
    return { resource: present(saved, actor), overlaps };
  },
});
