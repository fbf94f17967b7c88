// Accounts and API tokens: kept by the security administrator. Everyone may see their own account.

import type { User } from '../domain/entities.ts';
import { NotFoundError, ValidationError, fieldError } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';
import { newToken } from '../identity/tokens.ts';
import { createUser, presentUser, roleProblems } from '../identity/users.ts';
import { defineAction } from './define.ts';
import { paging, readExpectedVersion, readId, readQuery } from './input.ts';

export const me = defineAction({
  name: 'account.me', permission: 'signed-in', input: () => ({}),
  run: async (actor) => actor,
});

export const listUsers = defineAction({
  name: 'user.list', permission: ['security_admin'],
  input: (raw) => readQuery(raw.query, { agency: 'string', offset: 'int', limit: 'int' }),
  run: async (_a, q, ctx) => {
    const page = await ctx.store.users.list({ where: q.agency ? { path: 'agencyId', eq: q.agency } : undefined, sort: [{ path: 'username', dir: 'asc' }], ...paging(q, 200) });
    return { ...page, items: page.items.map(presentUser) };
  },
});

export const createUserAction = defineAction({
  name: 'user.create', permission: ['security_admin'],
  input: (raw) => {
    const o = (raw.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !['username', 'displayName', 'agencyId', 'roles', 'password'].includes(k));
    if (unknown.length) throw new ValidationError(unknown.map((k) => fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`)));
    return o as unknown as { username: string; displayName: string; agencyId: string; roles: Role[]; password: string };
  },
  run: async (actor, input, ctx) => {
    const u = await ctx.audited({ action: 'user.create', object: `username:${String(input.username).slice(0, 64)}`, outcome: 'success', detail: { roles: input.roles } },
      (opts) => createUser(ctx.store, input, actor!, opts));
    return presentUser(u);
  },
});

/** Changes roles, agency, name or the disabled flag; never a password hash or a demo label. */
export const updateUser = defineAction({
  name: 'user.update', permission: ['security_admin'],
  input: (raw) => {
    const o = (raw.body ?? {}) as Record<string, unknown>;
    const errors = Object.keys(o).filter((k) => !['displayName', 'agencyId', 'roles', 'disabled', 'version'].includes(k))
      .map((k) => fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
    if (o.roles !== undefined) errors.push(...roleProblems(o.roles));
    if (o.agencyId !== undefined && (typeof o.agencyId !== 'string' || !/^[\w.:-]{1,64}$/.test(o.agencyId))) errors.push(fieldError('/agencyId', 'type', '所属机关标识格式不正确', 'agencyId must be an agency id'));
    if (o.disabled !== undefined && typeof o.disabled !== 'boolean') errors.push(fieldError('/disabled', 'type', '应为是或否', 'must be true or false'));
    if (o.displayName !== undefined && (typeof o.displayName !== 'string' || !o.displayName.trim() || o.displayName.length > 50)) errors.push(fieldError('/displayName', 'type', '姓名不超过 50 字', 'displayName: at most 50 characters'));
    if (errors.length) throw new ValidationError(errors);
    return { id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, raw.body, raw.query), patch: o as Partial<User> };
  },
  run: async (actor, { id, expectedVersion, patch }, ctx) => {
    const cur = await ctx.store.users.get(id);
    if (!cur) throw new NotFoundError('user');
    if (patch.agencyId && !(await ctx.store.agencies.get(patch.agencyId))) throw new ValidationError([fieldError('/agencyId', 'unknown_agency', '所属机关不存在', 'agency does not exist')]);
    const next: User = { ...cur, ...(patch.displayName ? { displayName: patch.displayName.trim() } : {}), ...(patch.agencyId ? { agencyId: patch.agencyId } : {}),
      ...(patch.roles ? { roles: [...new Set(patch.roles)] } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}) };
    const u = await ctx.audited({ action: 'user.update', object: `user:${id}`, outcome: 'success', detail: { roles: next.roles, disabled: next.disabled } },
      (opts) => ctx.store.users.update(id, next, expectedVersion, actor!, opts));
    return presentUser(u);
  },
});

const TOKEN_ROLES: Role[] = ['agency_staff', 'data_steward'];

export const createToken = defineAction({
  name: 'token.create', permission: ['security_admin'],
  input: (raw) => {
    const o = (raw.body ?? {}) as Record<string, unknown>;
    const errors = Object.keys(o).filter((k) => !['name', 'expiresInDays'].includes(k)).map((k) => fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
    if (typeof o.name !== 'string' || !o.name.trim() || o.name.length > 100) errors.push(fieldError('/name', 'required', '令牌名称为必填项', 'name is required'));
    if (o.expiresInDays !== undefined && (!Number.isInteger(o.expiresInDays) || (o.expiresInDays as number) < 1 || (o.expiresInDays as number) > 366)) errors.push(fieldError('/expiresInDays', 'range', '有效期为 1-366 天', 'expiresInDays: 1 to 366'));
    if (errors.length) throw new ValidationError(errors);
    return { userId: readId(raw.params), name: (o.name as string).trim(), days: (o.expiresInDays as number | undefined) ?? 90 };
  },
  run: async (actor, { userId, name, days }, ctx) => {
    const user = await ctx.store.users.get(userId);
    if (!user) throw new NotFoundError('user');
    // Whoever issues a token holds its secret: tokens for administrators or reviewers would let the security
    // administrator act in their name and undo the separation of duties.
    if (user.roles.some((r) => !TOKEN_ROLES.includes(r))) {
      throw new ValidationError([fieldError('/userId', 'token_not_allowed', 'API 令牌只能发给仅具有机关工作人员或数据管理员角色的账号', 'API tokens are issued only to accounts holding agency staff or data steward roles')]);
    }
    const t = newToken();
    const now = ctx.now();
    const saved = await ctx.audited({ action: 'token.create', object: `token:${t.id}`, outcome: 'success', detail: { userId, issuedBy: actor!.username } },
      (opts) => ctx.store.tokens.create({ id: t.id, version: 1, userId, name, hash: t.hash, createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(), revoked: false }, actor!, opts));
    const { hash: _h, ...rest } = saved;
    // The secret is returned once; only its hash is kept.
    return { ...rest, token: t.token };
  },
});

export const listTokens = defineAction({
  name: 'token.list', permission: ['security_admin'], input: (raw) => ({ userId: readId(raw.params) }),
  run: async (_a, { userId }, ctx) => {
    const page = await ctx.store.tokens.list({ where: { path: 'userId', eq: userId }, limit: 200 });
    return { ...page, items: page.items.map(({ hash: _h, ...t }) => t) };
  },
});

export const revokeToken = defineAction({
  name: 'token.revoke', permission: ['security_admin'], input: (raw) => ({ userId: readId(raw.params), id: readId(raw.params, 'tokenId') }),
  run: async (actor, { userId, id }, ctx) => {
    const t = await ctx.store.tokens.get(id);
    if (!t || t.userId !== userId) throw new NotFoundError('token');
    await ctx.audited({ action: 'token.revoke', object: `token:${id}`, outcome: 'success' }, (opts) => ctx.store.tokens.update(id, { ...t, revoked: true }, t.version, actor!, opts));
    return undefined;
  },
});

export const listOverlaps = defineAction({
  name: 'overlap.list', permission: ['reviewer', 'info_office'],
  input: (raw) => readQuery(raw.query, { status: ['open', 'resolved'], offset: 'int', limit: 'int' }),
  run: async (_a, q, ctx) => ctx.store.overlaps.list({ where: q.status ? { path: 'status', eq: q.status } : undefined, sort: [{ path: 'createdAt', dir: 'desc' }], ...paging(q) }),
});

export const listAudit = defineAction({
  name: 'audit.list', permission: ['audit_admin'],
  input: (raw) => readQuery(raw.query, { action: 'string', offset: 'int', limit: 'int' }),
  run: async (_a, q, ctx) => ctx.store.audit.list({ ...paging(q, 500), ...(q.action ? { action: q.action } : {}) }),
});

