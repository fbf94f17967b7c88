import type { Cond } from '../../ports/store.ts';
import { RESOURCE_STATUSES, SHARE_TYPES, FORMAT_CATEGORIES, UPDATE_CYCLES, BASE_DATABASES } from '../../domain/vocab.ts';
import { resourceVisibility, visibilityCond } from '../../domain/visibility.ts';
import { defineAction } from '../define.ts';
import { paging, readQuery } from '../input.ts';
import { present } from './catalog.ts';

const SORTS = { updated: { path: 'updatedAt', dir: 'desc' }, name: { path: 'name', dir: 'asc' }, code: { path: 'code', dir: 'asc' } } as const;

export const LIST_QUERY = {
  agency: 'string', class: 'string', shareType: SHARE_TYPES, status: RESOURCE_STATUSES, format: FORMAT_CATEGORIES,
  updateCycle: UPDATE_CYCLES, baseDatabase: BASE_DATABASES, open: 'bool', sort: ['updated', 'name', 'code'], offset: 'int', limit: 'int',
} as const;

/** Lists the entries the viewer may see; the visibility condition is part of the query, so totals never leak. */
export default defineAction({
  name: 'resource.list',
  permission: 'public',
  input: (raw) => readQuery(raw.query, LIST_QUERY),
  run: async (actor, q, ctx) => {
    const conds: Cond[] = [];
    const vis = visibilityCond(resourceVisibility(actor));
    if (vis) conds.push(vis);
    if (q.agency) {
      // An agency includes its sub-agencies at any depth (the city, a district and its departments).
      const ids = [q.agency];
      for (let level = [q.agency]; level.length && ids.length < 5000;) {
        const children = await ctx.store.agencies.list({ where: { path: 'parentId', in: level }, limit: 1000 });
        level = children.items.map((a) => a.id).filter((id) => !ids.includes(id));
        ids.push(...level);
      }
      conds.push({ path: 'provider.agencyId', in: ids });
    }
    if (q.class) conds.push({ path: 'classNode', prefix: q.class.replace(/\D/g, '') });
    if (q.shareType) conds.push({ path: 'sharing.type', eq: q.shareType });
    if (q.status) conds.push({ path: 'status', eq: q.status });
    if (q.format) conds.push({ path: 'format.category', eq: q.format });
    if (q.updateCycle) conds.push({ path: 'updateCycle', eq: q.updateCycle });
    if (q.baseDatabase) conds.push({ path: 'baseDatabase', eq: q.baseDatabase });
    if (q.open !== undefined) conds.push({ path: 'openness.isOpen', eq: q.open });
    const { offset, limit } = paging(q);
    const page = await ctx.store.resources.list({
      where: conds.length ? { and: conds } : undefined, sort: [SORTS[q.sort ?? 'updated']], offset, limit,
    });
    return { ...page, items: page.items.map((r) => present(r, actor)) };
  },
});
