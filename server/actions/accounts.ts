// Accounts and API tokens: kept by the security administrator. Everyone may see their own account.

import type { ApiToken, User } from '../domain/entities.ts';
import { NotFoundError, ValidationError, fieldError } from '../domain/errors.ts';
import { hasLineBreak } from '../domain/plain-text.ts';
import { type Actor, type Role, mayHoldTokens } from '../domain/roles.ts';
import { newToken } from '../identity/tokens.ts';
import { createUser, presentUser, roleProblems } from '../identity/users.ts';
import { type ActionContext, defineAction } from './define.ts';
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
    if (o.displayName !== undefined && (typeof o.displayName !== 'string' || !o.displayName.trim() || o.displayName.length > 50 || hasLineBreak(o.displayName))) errors.push(fieldError('/displayName', 'type', '姓名为单行文本,不超过 50 字', 'displayName: one line, at most 50 characters'));
    if (errors.length) throw new ValidationError(errors);
    return { id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, raw.body, raw.query), patch: o as Partial<User> };
  },
  run: async (actor, { id, expectedVersion, patch }, ctx) => {
    const cur = await ctx.store.users.get(id);
    if (!cur) throw new NotFoundError('user');
    if (patch.agencyId && !(await ctx.store.agencies.get(patch.agencyId))) throw new ValidationError([fieldError('/agencyId', 'unknown_agency', '所属机关不存在', 'agency does not exist')]);
    const roles = patch.roles ? [...new Set(patch.roles)] : cur.roles;
    const disabled = patch.disabled ?? cur.disabled;
    await keepASecurityAdministrator(ctx, actor!, cur, roles, disabled);
    // What the account may do changes: every session and token it has ends now (B22).
    const powersChange = disabled !== cur.disabled || (patch.agencyId !== undefined && patch.agencyId !== cur.agencyId)
      || roles.length !== cur.roles.length || roles.some((r) => !cur.roles.includes(r));
    const next: User = {
      ...cur, ...(patch.displayName ? { displayName: patch.displayName.trim() } : {}), ...(patch.agencyId ? { agencyId: patch.agencyId } : {}), roles, disabled,
      ...(powersChange ? { authEpoch: (cur.authEpoch ?? 0) + 1 } : {}),
    };
    const u = await ctx.audited({ action: 'user.update', object: `user:${id}`, outcome: 'success', detail: { roles: next.roles, disabled: next.disabled, sessionsEnded: powersChange } },
      (opts) => ctx.store.users.update(id, next, expectedVersion, actor!, opts));
    if (powersChange) await revokeTokensOf(ctx, actor!, id, 'account changed');
    return presentUser(u);
  },
});

/**
 * The security administrator cannot lock itself out, nor leave the catalog without an active security
 * administrator (nobody could then keep accounts). (A race of two administrators demoting each other at the same
 * moment is not prevented here; see the README.)
 */
async function keepASecurityAdministrator(ctx: ActionContext, actor: Actor, cur: User, roles: Role[], disabled: boolean): Promise<void> {
  const wasAdmin = cur.roles.includes('security_admin') && !cur.disabled;
  if (!wasAdmin || (roles.includes('security_admin') && !disabled)) return;
  const pointer = disabled ? '/disabled' : '/roles';
  if (cur.id === actor.userId) {
    throw new ValidationError([fieldError(pointer, 'self_lockout', '安全管理员不能停用自己或取消自己的安全管理员角色', 'a security administrator cannot disable or demote their own account')]);
  }
  for (let offset = 0; ; offset += 1000) {
    const page = await ctx.store.users.list({ sort: [{ path: 'username', dir: 'asc' }], offset, limit: 1000 });
    if (page.items.some((u) => u.id !== cur.id && !u.disabled && u.roles.includes('security_admin'))) return;
    if (page.items.length < 1000) break;
  }
  throw new ValidationError([fieldError(pointer, 'last_security_admin', '这是最后一个有效的安全管理员账号,不能停用或取消其角色', 'this is the last active security administrator; it cannot be disabled or demoted')]);
}

/** Revokes every live token of an account (its epoch moved on, which already stops them; this makes it visible). */
async function revokeTokensOf(ctx: ActionContext, actor: Actor, userId: string, reason: string): Promise<void> {
  const tokens = await ctx.store.tokens.list({ where: { path: 'userId', eq: userId }, limit: 1000 });
  for (const t of tokens.items.filter((x) => !x.revoked)) {
    await ctx.audited({ action: 'token.revoke', object: `token:${t.id}`, outcome: 'success', detail: { reason } },
      (opts) => ctx.store.tokens.update(t.id, { ...t, revoked: true }, t.version, actor, opts)).catch(() => undefined);
  }
}

export const createToken = defineAction({
  name: 'token.create', permission: ['security_admin'], answerHoldsSecret: true,
  input: (raw) => {
    const o = (raw.body ?? {}) as Record<string, unknown>;
    const errors = Object.keys(o).filter((k) => !['name', 'expiresInDays'].includes(k)).map((k) => fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
    if (typeof o.name !== 'string' || !o.name.trim() || o.name.length > 100 || hasLineBreak(o.name)) errors.push(fieldError('/name', 'required', '令牌名称为必填项(单行)', 'name is required (one line)'));
    if (o.expiresInDays !== undefined && (!Number.isInteger(o.expiresInDays) || (o.expiresInDays as number) < 1 || (o.expiresInDays as number) > 366)) errors.push(fieldError('/expiresInDays', 'range', '有效期为 1-366 天', 'expiresInDays: 1 to 366'));
    if (errors.length) throw new ValidationError(errors);
    return { userId: readId(raw.params), name: (o.name as string).trim(), days: (o.expiresInDays as number | undefined) ?? 90 };
  },
  run: async (actor, { userId, name, days }, ctx) => {
    const user = await ctx.store.users.get(userId);
    if (!user) throw new NotFoundError('user');
    // Whoever issues a token holds its secret (TOKEN_ROLES says why); the check is repeated on every request.
    if (!mayHoldTokens(user.roles) || user.disabled) {
      throw new ValidationError([fieldError('/userId', 'token_not_allowed', 'API 令牌只能发给仅具有机关工作人员或数据管理员角色的账号', 'API tokens are issued only to accounts holding agency staff or data steward roles')]);
    }
    const t = newToken();
    const now = ctx.now();
    const saved = await ctx.audited({ action: 'token.create', object: `token:${t.id}`, outcome: 'success', detail: { userId, issuedBy: actor!.username } },
      (opts) => ctx.store.tokens.create({ id: t.id, version: 1, userId, name, hash: t.hash, createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(), revoked: false, epoch: user.authEpoch ?? 0 }, actor!, opts));
    // The secret is returned once; only its hash is kept.
    return { ...presentToken(saved), token: t.token };
  },
});

/** A token as its administrator sees it: never its hash, nor the epoch it belongs to (the account's business). */
function presentToken({ hash: _h, epoch: _e, ...t }: ApiToken) {
  return t;
}

export const listTokens = defineAction({
  name: 'token.list', permission: ['security_admin'], input: (raw) => ({ userId: readId(raw.params) }),
  run: async (_a, { userId }, ctx) => {
    const page = await ctx.store.tokens.list({ where: { path: 'userId', eq: userId }, limit: 200 });
    return { ...page, items: page.items.map(presentToken) };
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

