// Reference data: the agency tree and the classification tree. Everyone reads; the system administrator edits.

import { randomUUID } from 'node:crypto';
import { isLocalOrgCode, isValidCreditCode, parseClassificationCode } from '../domain/codes.ts';
import type { Agency, AgencyKind, ClassificationNode } from '../domain/entities.ts';
import { ConflictError, type FieldError, NotFoundError, UniqueViolation, ValidationError, fieldError } from '../domain/errors.ts';
import { hasLineBreak } from '../domain/plain-text.ts';
import { defineAction } from './define.ts';
import { readExpectedVersion, readId } from './input.ts';

const KINDS: AgencyKind[] = ['city', 'department', 'district', 'district_department', 'review_member'];

function readAgency(body: unknown): Omit<Agency, 'id' | 'version'> {
  const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(o)) if (!['name', 'shortName', 'code', 'parentId', 'kind', 'pilot', 'reviewMember', 'version'].includes(k)) errors.push(fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
  const str = (k: string, max: number, req: boolean) => {
    const v = o[k];
    if (v === undefined || v === '') { if (req) errors.push(fieldError(`/${k}`, 'required', `${k} 为必填项`, `${k} is required`)); return undefined; }
    if (typeof v !== 'string' || v.length > max || hasLineBreak(v)) { errors.push(fieldError(`/${k}`, 'type', `${k} 应为不超过 ${max} 字的单行文本`, `${k} must be a single line of at most ${max} characters`)); return undefined; }
    return v.trim();
  };
  const name = str('name', 100, true);
  const shortName = str('shortName', 30, false);
  const code = str('code', 20, true);
  if (code && !isValidCreditCode(code) && !isLocalOrgCode(code)) errors.push(fieldError('/code', 'invalid_credit_code', '不是有效的统一社会信用代码(校验位不符)或组织机构代码', 'not a valid unified social credit code (check digit) or organisation code'));
  const parentId = str('parentId', 64, false);
  if (o.parentId !== undefined && !/^[\w.:-]{1,64}$/.test(String(o.parentId))) errors.push(fieldError('/parentId', 'pattern', '上级机关标识格式不正确', 'parentId must be an agency id'));
  const kind = o.kind as AgencyKind;
  if (!KINDS.includes(kind)) errors.push(fieldError('/kind', 'enum', `机关类型应为:${KINDS.join('、')}`, `kind must be one of ${KINDS.join(', ')}`));
  for (const k of ['pilot', 'reviewMember']) if (o[k] !== undefined && typeof o[k] !== 'boolean') errors.push(fieldError(`/${k}`, 'type', `${k} 应为是或否`, `${k} must be true or false`));
  if (errors.length) throw new ValidationError(errors);
  return { name: name!, ...(shortName ? { shortName } : {}), code: code!, ...(parentId ? { parentId } : {}), kind, pilot: o.pilot === true, reviewMember: o.reviewMember === true };
}

async function checkParent(parentId: string | undefined, ctx: { store: { agencies: { get(id: string): Promise<Agency | undefined> } } }) {
  if (parentId && !(await ctx.store.agencies.get(parentId))) throw new ValidationError([fieldError('/parentId', 'unknown_agency', '上级机关不存在', 'parent agency does not exist')]);
}

function taken(e: unknown): never {
  if (e instanceof UniqueViolation) throw new ValidationError([fieldError('/code', 'taken', '代码已被其他记录使用', 'code is already used')]);
  throw e;
}

export const listAgencies = defineAction({
  name: 'agency.list', permission: 'public', input: () => ({}),
  run: async (_a, _i, ctx) => ctx.store.agencies.list({ sort: [{ path: 'code', dir: 'asc' }], limit: 1000 }),
});
export const getAgency = defineAction({
  name: 'agency.get', permission: 'public', input: (raw) => ({ id: readId(raw.params) }),
  run: async (_a, { id }, ctx) => (await ctx.store.agencies.get(id)) ?? Promise.reject(new NotFoundError('agency')),
});
export const createAgency = defineAction({
  name: 'agency.create', permission: ['sys_admin'], input: (raw) => readAgency(raw.body),
  run: async (actor, input, ctx) => {
    await checkParent(input.parentId, ctx);
    const id = `ag-${randomUUID().slice(0, 8)}`;
    return ctx.audited({ action: 'agency.create', object: `agency:${id}`, outcome: 'success' }, (opts) => ctx.store.agencies.create({ ...input, id, version: 1 }, actor!, opts).catch(taken));
  },
});
export const updateAgency = defineAction({
  name: 'agency.update', permission: ['sys_admin'],
  input: (raw) => ({ id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, raw.body, raw.query), agency: readAgency(raw.body) }),
  run: async (actor, { id, expectedVersion, agency }, ctx) => {
    await checkParent(agency.parentId, ctx);
    if (agency.parentId === id) throw new ValidationError([fieldError('/parentId', 'cycle', '机关不能是自己的上级', 'an agency cannot be its own parent')]);
    const saved = await ctx.audited({ action: 'agency.update', object: `agency:${id}`, outcome: 'success' },
      (opts) => ctx.store.agencies.update(id, { ...agency, id, version: expectedVersion }, expectedVersion, actor!, opts).catch(taken));
    // Entries show their provider's name and filter by its place in the tree: their documents follow the change.
    // The store change stands even if the index is down; reconcile catches those documents up later.
    await ctx.search?.agencyChanged(id).catch(() => undefined);
    return saved;
  },
});
export const removeAgency = defineAction({
  name: 'agency.delete', permission: ['sys_admin'],
  input: (raw) => ({ id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, undefined, raw.query) }),
  run: async (actor, { id, expectedVersion }, ctx) => {
    const users = await ctx.store.users.count({ path: 'agencyId', eq: id });
    const resources = await ctx.store.resources.count({ path: 'provider.agencyId', eq: id });
    const children = await ctx.store.agencies.count({ path: 'parentId', eq: id });
    if (users || resources || children) throw new ConflictError('该机关仍有下级机关、用户或信息资源,不能删除', 'the agency still has sub-agencies, users or resources');
    await ctx.audited({ action: 'agency.delete', object: `agency:${id}`, outcome: 'success' }, (opts) => ctx.store.agencies.remove(id, expectedVersion, actor!, opts));
    return undefined;
  },
});

function readNode(body: unknown): Omit<ClassificationNode, 'id' | 'version'> {
  const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(o)) if (!['code', 'name', 'version'].includes(k)) errors.push(fieldError(`/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`));
  const code = typeof o.code === 'string' ? o.code : '';
  const ref = /^[1-3]$/.test(code) ? { classCode: code } : parseClassificationCode(code);
  if (!ref) errors.push(fieldError('/code', 'pattern', '分类代码格式不正确(类1位、项2位、目3位、细目每级2位)', 'classification code: class 1 digit, item 2, entry 3, sub-entries 2 per level'));
  if (typeof o.name !== 'string' || !o.name.trim() || o.name.length > 100 || hasLineBreak(o.name)) errors.push(fieldError('/name', 'required', '名称为必填项(单行,不超过 100 字)', 'name is required (one line, at most 100 characters)'));
  if (errors.length) throw new ValidationError(errors);
  const level = code.length === 1 ? 1 : code.length === 3 ? 2 : code.length === 6 ? 3 : 3 + (code.length - 6) / 2;
  const parentCode = level === 1 ? undefined : level === 2 ? code.slice(0, 1) : level === 3 ? code.slice(0, 3) : code.slice(0, code.length - 2);
  return { code, name: (o.name as string).trim(), level, ...(parentCode ? { parentCode } : {}) };
}

export const listClassification = defineAction({
  name: 'classification.list', permission: 'public', input: () => ({}),
  run: async (_a, _i, ctx) => ctx.store.classification.list({ sort: [{ path: 'code', dir: 'asc' }], limit: 1000 }),
});
export const createClassification = defineAction({
  name: 'classification.create', permission: ['sys_admin'], input: (raw) => readNode(raw.body),
  run: async (actor, node, ctx) => {
    if (node.parentCode && !(await ctx.store.classification.getBy('code', node.parentCode))) {
      throw new ValidationError([fieldError('/code', 'unknown_parent', `上级分类 ${node.parentCode} 不存在`, `parent node ${node.parentCode} does not exist`)]);
    }
    return ctx.audited({ action: 'classification.create', object: `classification:${node.code}`, outcome: 'success' },
      (opts) => ctx.store.classification.create({ ...node, id: node.code, version: 1 }, actor!, opts).catch(taken));
  },
});
export const updateClassification = defineAction({
  name: 'classification.update', permission: ['sys_admin'],
  input: (raw) => ({ id: readId(raw.params), expectedVersion: readExpectedVersion(raw.headers, raw.body, raw.query), node: readNode(raw.body) }),
  run: async (actor, { id, expectedVersion, node }, ctx) => {
    const cur = await ctx.store.classification.get(id);
    if (!cur) throw new NotFoundError('classification');
    // Codes are part of resource codes already issued: only the name may change.
    if (node.code !== cur.code) throw new ValidationError([fieldError('/code', 'immutable', '分类代码不能修改', 'a node code cannot change')]);
    return ctx.audited({ action: 'classification.update', object: `classification:${id}`, outcome: 'success' },
      (opts) => ctx.store.classification.update(id, { ...cur, name: node.name }, expectedVersion, actor!, opts));
  },
});
