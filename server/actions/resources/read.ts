import { RESOURCE_CODE_PATTERN, codeFromSlug } from '../../domain/codes.ts';
import { BadRequestError, NotFoundError } from '../../domain/errors.ts';
import { hasRole } from '../../domain/roles.ts';
import { defineAction } from '../define.ts';
import { readId } from '../input.ts';
import { loadVisible, present } from './catalog.ts';

export const getResource = defineAction({
  name: 'resource.get',
  permission: 'public',
  input: (raw) => ({ id: readId(raw.params) }),
  run: async (actor, { id }, ctx) => present((await loadVisible(ctx, actor, { id })).resource, actor),
});

/** By code: the "/" form URL-encoded (101001%2F00001) or the slug form (101001-00001). */
export const getResourceByCode = defineAction({
  name: 'resource.getByCode',
  permission: 'public',
  input: (raw) => {
    const code = codeFromSlug(String(raw.params.code ?? ''));
    if (code.length > 40 || !RESOURCE_CODE_PATTERN.test(code)) throw new BadRequestError('资源代码格式不正确', 'malformed resource code');
    return { code };
  },
  run: async (actor, { code }, ctx) => present((await loadVisible(ctx, actor, { code })).resource, actor),
});

/** Change history: for the entry's own stewards and the reviewing bodies, who may see every version. */
export const resourceHistory = defineAction({
  name: 'resource.history',
  permission: 'signed-in',
  input: (raw) => ({ id: readId(raw.params) }),
  authorize: async (actor, { id }, ctx) => {
    const { resource } = await loadVisible(ctx, actor, { id });
    const own = hasRole(actor, 'data_steward') && actor!.agencyId === resource.provider.agencyId;
    if (!own && !hasRole(actor, 'reviewer', 'info_office')) throw new NotFoundError('resource');
  },
  run: async (_actor, { id }, ctx) => ({ items: await ctx.store.resources.history(id) }),
});
