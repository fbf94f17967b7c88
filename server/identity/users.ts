// Account rules shared by the API and the `npm run user` CLI.

import { randomUUID } from 'node:crypto';
import type { User } from '../domain/entities.ts';
import { type FieldError, UniqueViolation, ValidationError, fieldError } from '../domain/errors.ts';
import { hasLineBreak } from '../domain/plain-text.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import type { ActorRef, Store, WriteOptions } from '../ports/store.ts';
import { passwordProblem } from './password-policy.ts';
import { hashPassword } from './passwords.ts';

export interface NewUser {
  username: string;
  displayName: string;
  agencyId: string;
  roles: Role[];
  password: string;
  demo?: boolean;
}

/** The administrator duties are kept apart (三权分立): one account never holds two of them. */
const ADMIN_ROLES: Role[] = ['sys_admin', 'security_admin', 'audit_admin'];

export function roleProblems(roles: unknown, pointer = '/roles'): FieldError[] {
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > ROLES.length) {
    return [fieldError(pointer, 'required', '至少需要一个角色', 'at least one role is required')];
  }
  const bad = roles.filter((r) => !ROLES.includes(r as Role));
  if (bad.length) return [fieldError(pointer, 'enum', `未知角色:${bad.join('、')}`, `unknown roles: ${bad.join(', ')}`)];
  if (new Set(roles).size !== roles.length) return [fieldError(pointer, 'duplicate', '角色重复', 'a role is listed twice')];
  const admin = roles.filter((r) => ADMIN_ROLES.includes(r as Role));
  if (admin.length > 1 || (admin.length === 1 && roles.length > 1)) {
    return [fieldError(pointer, 'separation_of_duties', '系统、安全、审计管理员须由不同账号担任,且不兼任业务角色', 'the system, security and audit administrator duties belong to separate accounts with no business role')];
  }
  return [];
}

export async function createUser(store: Store, u: NewUser, actor: ActorRef, opts?: WriteOptions): Promise<User> {
  const errors: FieldError[] = [];
  if (typeof u.username !== 'string' || !/^[a-z][a-z0-9._-]{2,31}$/.test(u.username)) {
    errors.push(fieldError('/username', 'pattern', '用户名为 3-32 位小写字母、数字、点、下划线或连字符,字母开头', 'username: 3-32 lowercase letters, digits, . _ -, starting with a letter'));
  }
  if (typeof u.displayName !== 'string' || !u.displayName.trim() || u.displayName.length > 50 || hasLineBreak(u.displayName)) {
    errors.push(fieldError('/displayName', 'required', '姓名为必填项(单行,不超过 50 字)', 'displayName is required (one line, at most 50 characters)'));
  }
  if (typeof u.agencyId !== 'string' || !(await store.agencies.get(u.agencyId))) {
    errors.push(fieldError('/agencyId', 'unknown_agency', '所属机关不存在', 'agency does not exist'));
  }
  errors.push(...roleProblems(u.roles));
  const pw = typeof u.password === 'string' ? passwordProblem(u.password, { username: typeof u.username === 'string' ? u.username : undefined, displayName: typeof u.displayName === 'string' ? u.displayName : undefined }) : { zh: '密码为必填项', en: 'password is required' };
  if (pw) errors.push(fieldError('/password', 'weak_password', pw.zh, pw.en));
  if (errors.length) throw new ValidationError(errors);
  try {
    return await store.users.create({
      id: randomUUID(), version: 1, username: u.username, displayName: u.displayName.trim(), agencyId: u.agencyId,
      roles: [...new Set(u.roles)], passwordHash: await hashPassword(u.password), disabled: false, demo: !!u.demo,
      createdAt: new Date().toISOString(), authEpoch: 0,
    }, actor, opts);
  } catch (e) {
    if (e instanceof UniqueViolation) throw new ValidationError([fieldError('/username', 'taken', '用户名已被使用', 'username is taken')]);
    throw e;
  }
}

/** What an account looks like from outside: never its password hash. */
export function presentUser(u: User) {
  const { passwordHash: _p, authEpoch: _e, ...rest } = u;
  return rest;
}
