import { ConflictError, ForbiddenError } from '../../domain/errors.ts';
import { canWriteResource } from '../../domain/visibility.ts';
import { defineAction } from '../define.ts';
import { readExpectedVersion, readId } from '../input.ts';
import { loadVisible } from './catalog.ts';

/**
 * Soft delete of an entry that never reached publication. A published entry leaves the catalog through
 * withdrawal by the information office (workflows.md), not by its steward deleting it.
 */
export default defineAction({
  name: 'resource.delete',
  permission: ['data_steward'],
  input: (raw) => ({ id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, undefined, raw.query) }),
  authorize: async (actor, input, ctx) => {
    const { resource } = await loadVisible(ctx, actor, { id: input.id });
    if (!canWriteResource(actor, resource.provider.agencyId)) throw new ForbiddenError('只能删除本机关的信息资源', 'stewards delete resources of their own agency only');
    if (resource.status === 'published' || resource.publishedAt) {
      throw new ConflictError('已发布的信息资源不能删除,请由市信息办撤销', 'a published resource is withdrawn by the information office, not deleted');
    }
  },
  run: async (actor, { id, expectedVersion }, ctx) => {
    await ctx.audited({ action: 'resource.delete', object: `resource:${id}`, outcome: 'success' }, (opts) => ctx.store.resources.remove(id, expectedVersion, actor!, opts));
    ctx.search?.sync.kick();
    return undefined;
  },
});
