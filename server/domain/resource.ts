// The catalog record (metadata.md) and its validation. Validation is pure: whatever it needs from the store
// (the classification tree, the provider agency, existing codes) is looked up first and handed in as `ctx`.
// It reports every error at once, so a steward fixes a form in one pass.

import { type ClassificationRef, RESOURCE_CODE_PATTERN, classificationCode, isLocalOrgCode, isValidCreditCode } from './codes.ts';
import { type FieldError, fieldError } from './errors.ts';
import { TEXT_PROBLEM_MESSAGES, hasLineBreak } from './plain-text.ts';
import {
  BASE_DATABASES, type BaseDatabase, DATA_TYPES, type DataType, FORMAT_TYPES, type FormatCategory, ITEMISED_FORMATS,
  LEGACY_SHARE_TYPES, METHOD_CATEGORIES, type MethodCategory, PLATFORM_METHOD_TYPES, type PlatformMethodType,
  type ResourceStatus, SECRECY, type Secrecy, SHARE_STRICTNESS, SHARE_TYPES, type ShareType, UPDATE_CYCLES,
  type UpdateCycle, allowedMethodTypes,
} from './vocab.ts';

export interface DataItem {
  name: string;
  nameEn?: string;
  dataType: DataType;
  length?: number;
  shareType?: ShareType;
  open?: boolean;
}

export interface Census {
  totalStorageGB?: number;
  structuredRecords?: number;
  sharedStorageGB?: number;
  sharedRecords?: number;
  openStorageGB?: number;
  openRecords?: number;
}

/** What a steward writes. Everything else on a Resource is set by the system. */
export interface ResourceInput {
  classification: ClassificationRef;
  name: string;
  provider: { agencyId: string; unit?: string };
  abstract: string;
  format: { category: FormatCategory; type: string; otherDescription?: string };
  dataItems: DataItem[];
  sharing: { type: ShareType; condition?: string; basis?: string; method?: { category: MethodCategory; type?: PlatformMethodType } };
  openness: { isOpen: boolean; condition?: string };
  updateCycle: UpdateCycle;
  relatedCodes: string[];
  census?: Census;
  baseDatabase?: BaseDatabase | null;
  secrecy: Secrecy;
  authoritativeSource: string[];
  sourceSystem?: string;
  contact?: { name?: string; phone?: string; email?: string };
  keywords: string[];
}

export interface Resource extends Omit<ResourceInput, 'provider'> {
  id: string;
  code: string;
  provider: { agencyId: string; unit?: string; code: string; name: string };
  status: ResourceStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  publishedAt?: string;
  /** The publication workflow's steps on this entry (workflows.md A): who submitted, returned, approved, published. */
  review?: { steps: ReviewStep[]; batchId?: string; returnReason?: string };
  /**
   * A change to a published entry under way (workflows.md A): the successor goes through review and a batch while
   * the published version stays what everyone sees; publishing the successor replaces it.
   */
  revision?: Revision;
  /** "May this be shared?" questions put to the review authority, and its answers (workflows.md A). */
  referrals?: Referral[];
  /** The steward's last confirmation that the entry is current (its update cycle restarts then). */
  currentAsOf?: string;
  /** Derived, kept for lookups: the folded name (unique per provider), the node code, the authority items folded by synonym. */
  nameKey: string;
  classNode: string;
  authorityItems: string[];
}

export interface Revision {
  content: Omit<Resource, 'revision'>;
  status: ResourceStatus;
  steps: ReviewStep[];
  returnReason?: string;
  batchId?: string;
  startedAt: string;
  startedBy: string;
}

export interface Referral {
  id: string;
  question: string;
  askedBy: string;
  askedAt: string;
  answer?: string;
  answeredBy?: string;
  answeredAt?: string;
}

export interface ReviewStep {
  event: string;
  from: ResourceStatus;
  to: ResourceStatus;
  by: string;
  byName: string;
  at: string;
  reason?: string;
  batchNumber?: string;
}

export const DERIVED_FIELDS = ['nameKey', 'classNode', 'authorityItems'] as const;

/** Fields the system owns; a client that sends them is told so (mass assignment, B4). */
export const READ_ONLY_FIELDS = [
  'id', 'code', 'status', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'publishedAt', 'approvedBy', 'owner', 'deleted', '_id', 'review', 'referrals', 'currentAsOf', 'revision',
] as const;

export interface ValidationContext {
  classificationExists(nodeCode: string): boolean;
  agency(id: string): { id: string; code: string; name: string } | undefined;
  resourceCodeExists(code: string): boolean;
}

const LABELS: Record<string, string> = {
  classification: '信息资源分类', 'classification/classCode': '类', 'classification/itemCode': '项',
  'classification/entryCode': '目', 'classification/subEntryCode': '细目', name: '信息资源名称',
  provider: '信息资源提供方', 'provider/agencyId': '信息资源提供方', 'provider/unit': '提供方内部部门',
  'provider/code': '信息资源提供方代码', abstract: '信息资源摘要', format: '信息资源格式',
  'format/category': '格式分类', 'format/type': '格式类型', 'format/otherDescription': '其他格式描述',
  dataItems: '信息项', name_item: '信息项名称', nameEn: '英文名称', dataType: '数据类型', length: '数据长度',
  shareType: '共享类型', open: '是否开放', sharing: '共享属性', 'sharing/type': '共享类型',
  'sharing/condition': '共享条件', 'sharing/basis': '不予共享依据', 'sharing/method': '共享方式',
  'sharing/method/category': '共享方式分类', 'sharing/method/type': '共享方式类型', openness: '开放属性',
  'openness/isOpen': '是否向社会开放', 'openness/condition': '开放条件', updateCycle: '更新周期',
  relatedCodes: '关联资源代码', census: '信息资源大普查', baseDatabase: '基础信息库', secrecy: '涉密属性',
  authoritativeSource: '权威来源信息项', sourceSystem: '所在信息系统', contact: '联系人', 'contact/name': '联系人姓名',
  'contact/phone': '联系电话', 'contact/email': '电子邮箱', keywords: '关键词',
};

function label(pointer: string): string {
  const key = pointer.replace(/^\//, '');
  if (/^dataItems\/\d+\/name$/.test(key)) return LABELS.name_item;
  const generic = key.replace(/^dataItems\/\d+\//, '').replace(/^(relatedCodes|keywords|authoritativeSource)\/\d+$/, '$1');
  return LABELS[key] ?? LABELS[generic] ?? key;
}

/** Collects errors while reading an untrusted document; every reader returns undefined on error. */
class Reader {
  readonly errors: FieldError[] = [];

  err(pointer: string, code: string, zh: string, en: string): undefined {
    this.errors.push(fieldError(pointer, code, zh, en));
    return undefined;
  }

  required(p: string): undefined {
    return this.err(p, 'required', `${label(p)}为必填项`, `${p.slice(1)} is required`);
  }

  object(v: unknown, p: string, keys: readonly string[], required = true): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return required ? this.required(p) : undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return this.err(p, 'type', `${label(p)}应为对象`, `${p.slice(1) || 'body'} must be an object`);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) this.err(`${p}/${k}`, 'unknown_field', `不支持的字段 ${k}`, `unknown field ${k}`);
    }
    return o;
  }

  /** Text; a single line unless `multiline` (names, codes and contacts never hold line breaks). */
  string(v: unknown, p: string, opts: { min?: number; max: number; required?: boolean; pattern?: RegExp; patternZh?: string; multiline?: boolean }): string | undefined {
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      return opts.required ? this.required(p) : undefined;
    }
    if (typeof v !== 'string') return this.err(p, 'type', `${label(p)}应为文本`, `${p.slice(1)} must be a string`);
    const s = v.normalize('NFC').trim();
    const len = [...s].length;
    if (opts.min && len < opts.min) return this.err(p, 'too_short', `${label(p)}至少 ${opts.min} 个字符`, `${p.slice(1)} must have at least ${opts.min} characters`);
    if (len > opts.max) return this.err(p, 'too_long', `${label(p)}不能超过 ${opts.max} 个字符(当前 ${len} 个)`, `${p.slice(1)} must have at most ${opts.max} characters (has ${len})`);
    if (!opts.multiline && hasLineBreak(s)) return this.err(p, 'line_break', `${label(p)}${TEXT_PROBLEM_MESSAGES.line_break.zh}`, `${p.slice(1)} ${TEXT_PROBLEM_MESSAGES.line_break.en}`);
    if (opts.pattern && !opts.pattern.test(s)) return this.err(p, 'pattern', `${label(p)}格式不正确${opts.patternZh ? `:${opts.patternZh}` : ''}`, `${p.slice(1)} has the wrong format`);
    return s;
  }

  oneOf<T extends string>(v: unknown, p: string, values: readonly T[], required = true): T | undefined {
    if (v === undefined || v === null || v === '') return required ? this.required(p) : undefined;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      return this.err(p, 'enum', `${label(p)}应为以下之一:${values.join('、')}`, `${p.slice(1)} must be one of: ${values.join(', ')}`);
    }
    return v as T;
  }

  boolean(v: unknown, p: string, required = true): boolean | undefined {
    if (v === undefined || v === null) return required ? this.required(p) : undefined;
    if (typeof v !== 'boolean') return this.err(p, 'type', `${label(p)}应为是或否`, `${p.slice(1)} must be true or false`);
    return v;
  }

  number(v: unknown, p: string, opts: { integer?: boolean; min?: number; max?: number }): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.err(p, 'type', `${label(p)}应为数字`, `${p.slice(1)} must be a number`);
    if (opts.integer && !Number.isInteger(v)) return this.err(p, 'integer', `${label(p)}应为整数`, `${p.slice(1)} must be an integer`);
    if (opts.min !== undefined && v < opts.min) return this.err(p, 'too_small', `${label(p)}不能小于 ${opts.min}`, `${p.slice(1)} must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) return this.err(p, 'too_big', `${label(p)}不能大于 ${opts.max}`, `${p.slice(1)} must be at most ${opts.max}`);
    return v;
  }

  array(v: unknown, p: string, max: number): unknown[] | undefined {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.err(p, 'type', `${label(p)}应为列表`, `${p.slice(1)} must be an array`);
    if (v.length > max) return this.err(p, 'too_many', `${label(p)}最多 ${max} 项`, `${p.slice(1)} allows at most ${max} entries`);
    return v;
  }
}

const TOP_KEYS = [
  'classification', 'name', 'provider', 'abstract', 'format', 'dataItems', 'sharing', 'openness', 'updateCycle',
  'relatedCodes', 'census', 'baseDatabase', 'secrecy', 'authoritativeSource', 'sourceSystem', 'contact', 'keywords',
] as const;

export const MAX_DATA_ITEMS = 500;

function readClassification(r: Reader, v: unknown, ctx: ValidationContext): ClassificationRef | undefined {
  const o = r.object(v, '/classification', ['classCode', 'itemCode', 'entryCode', 'subEntryCode']);
  if (!o) return undefined;
  const classCode = r.oneOf(o.classCode, '/classification/classCode', ['1', '2', '3']);
  const itemCode = r.string(o.itemCode, '/classification/itemCode', { max: 2, required: true, pattern: /^\d{2}$/, patternZh: '两位数字' });
  const entryCode = r.string(o.entryCode, '/classification/entryCode', { max: 3, pattern: /^\d{3}$/, patternZh: '三位数字' });
  const subEntryCode = r.string(o.subEntryCode, '/classification/subEntryCode', { max: 20, pattern: /^(\d{2})+$/, patternZh: '每级两位数字' });
  if (subEntryCode && !entryCode) r.err('/classification/entryCode', 'required', '填写细目时必须填写目', 'entryCode is required when subEntryCode is given');
  if (!classCode || !itemCode || r.errors.some((e) => e.pointer.startsWith('/classification'))) return undefined;
  const ref: ClassificationRef = { classCode, itemCode, ...(entryCode ? { entryCode } : {}), ...(subEntryCode ? { subEntryCode } : {}) };
  if (!ctx.classificationExists(classificationCode(ref))) {
    return r.err('/classification', 'unknown_node', `分类 ${classificationCode(ref)} 不在信息资源分类体系中`, `classification node ${classificationCode(ref)} does not exist`);
  }
  return ref;
}

function readDataItems(r: Reader, v: unknown, sharing: ShareType | undefined, isOpen: boolean | undefined): DataItem[] {
  const arr = r.array(v, '/dataItems', MAX_DATA_ITEMS) ?? [];
  const seen = new Map<string, number>();
  const items: DataItem[] = [];
  arr.forEach((raw, i) => {
    const p = `/dataItems/${i}`;
    const o = r.object(raw, p, ['name', 'nameEn', 'dataType', 'length', 'shareType', 'open']);
    if (!o) return;
    const name = r.string(o.name, `${p}/name`, { max: 100, required: true });
    const nameEn = r.string(o.nameEn, `${p}/nameEn`, { max: 100, pattern: /^[A-Za-z][A-Za-z0-9_ ]*$/, patternZh: '英文字母开头,仅含字母、数字、下划线' });
    const dataType = r.oneOf(o.dataType, `${p}/dataType`, Object.keys(DATA_TYPES) as DataType[]);
    const length = r.number(o.length, `${p}/length`, { integer: true, min: 1, max: 1_000_000 });
    if (dataType === 'C' && length === undefined && o.length === undefined) r.err(`${p}/length`, 'required', '字符型信息项必须填写数据长度', 'length is required for character (C) items');
    const shareType = r.oneOf(normaliseShareType(o.shareType), `${p}/shareType`, SHARE_TYPES, false);
    if (shareType && sharing && SHARE_STRICTNESS[shareType] < SHARE_STRICTNESS[sharing]) {
      r.err(`${p}/shareType`, 'looser_than_resource', `信息项的共享类型(${shareType})不能比资源的共享类型(${sharing})更宽松`, `an item's share type (${shareType}) may not be looser than the resource's (${sharing})`);
    }
    const open = r.boolean(o.open, `${p}/open`, false);
    if (open === true && isOpen === false) r.err(`${p}/open`, 'looser_than_resource', '资源不向社会开放时,信息项不能开放', 'an item cannot be open when the resource is not open');
    if (name) {
      const key = name.normalize('NFKC').replace(/\s+/g, '');
      if (seen.has(key)) r.err(`${p}/name`, 'duplicate', `信息项名称“${name}”重复(与第 ${seen.get(key)! + 1} 项相同)`, `data item name "${name}" repeats item ${seen.get(key)! + 1}`);
      else seen.set(key, i);
    }
    if (name && dataType) {
      items.push({
        name, dataType,
        ...(nameEn ? { nameEn } : {}), ...(length !== undefined ? { length } : {}),
        ...(shareType ? { shareType } : {}), ...(open !== undefined ? { open } : {}),
      });
    }
  });
  return items;
}

function normaliseShareType(v: unknown): unknown {
  return typeof v === 'string' && v in LEGACY_SHARE_TYPES ? LEGACY_SHARE_TYPES[v] : v;
}

const PHONE = /^[0-9+\-() ]{5,20}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads and checks a submitted record. Returns the normalised input when there are no errors.
 * Name uniqueness per provider needs the store and is checked by the caller with `nameKey`.
 */
export function validateResourceInput(body: unknown, ctx: ValidationContext): { value?: ResourceInput; errors: FieldError[] } {
  const r = new Reader();
  const o = r.object(body, '', TOP_KEYS);
  if (!o) return { errors: r.errors };

  const classification = readClassification(r, o.classification, ctx);
  const name = r.string(o.name, '/name', { min: 1, max: 200, required: true });
  const abstract = r.string(o.abstract, '/abstract', { min: 1, max: 2000, required: true, multiline: true });

  const prov = r.object(o.provider, '/provider', ['agencyId', 'unit']);
  const agencyId = prov ? r.string(prov.agencyId, '/provider/agencyId', { max: 64, required: true }) : undefined;
  const unit = prov ? r.string(prov.unit, '/provider/unit', { max: 100 }) : undefined;
  const agency = agencyId ? ctx.agency(agencyId) : undefined;
  if (agencyId && !agency) r.err('/provider/agencyId', 'unknown_agency', '提供方不是已登记的机关', 'provider is not a registered agency');
  if (agency && !isValidCreditCode(agency.code) && !isLocalOrgCode(agency.code)) {
    r.err('/provider/code', 'invalid_credit_code', `提供方代码 ${agency.code} 不是有效的统一社会信用代码`, `provider code ${agency.code} is not a valid credit code`);
  }

  const fmt = r.object(o.format, '/format', ['category', 'type', 'otherDescription']);
  const category = fmt ? r.oneOf(fmt.category, '/format/category', Object.keys(FORMAT_TYPES) as FormatCategory[]) : undefined;
  let formatType: string | undefined;
  if (fmt && category) {
    formatType = r.oneOf(fmt.type, '/format/type', FORMAT_TYPES[category] as readonly string[]);
  } else if (fmt && fmt.type === undefined) {
    r.required('/format/type');
  }
  const otherDescription = fmt ? r.string(fmt.otherDescription, '/format/otherDescription', { max: 200, required: formatType === '其他' }) : undefined;

  const sh = r.object(o.sharing, '/sharing', ['type', 'condition', 'basis', 'method']);
  const shareType = sh ? r.oneOf(normaliseShareType(sh.type), '/sharing/type', SHARE_TYPES) : undefined;
  const condition = sh ? r.string(sh.condition, '/sharing/condition', { max: 1000, required: shareType === '有条件共享', multiline: true }) : undefined;
  const basis = sh ? r.string(sh.basis, '/sharing/basis', { max: 1000, required: shareType === '不予共享', multiline: true }) : undefined;
  let method: ResourceInput['sharing']['method'];
  if (sh && shareType === '不予共享') {
    if (sh.method !== undefined && sh.method !== null) r.err('/sharing/method', 'not_allowed', '不予共享的资源不能填写共享方式', 'a resource that is not shared has no sharing method');
  } else if (sh && shareType) {
    const m = r.object(sh.method, '/sharing/method', ['category', 'type']);
    const mc = m ? r.oneOf(m.category, '/sharing/method/category', METHOD_CATEGORIES) : undefined;
    if (m && mc === '共享平台方式') {
      const mt = r.oneOf(m.type, '/sharing/method/type', PLATFORM_METHOD_TYPES);
      if (mt && category && !allowedMethodTypes(category).includes(mt)) {
        r.err('/sharing/method/type', 'format_mismatch', `格式为${category}的资源,共享平台方式应为:${allowedMethodTypes(category).join('或')}`, `a ${category} resource is shared through the platform as: ${allowedMethodTypes(category).join(' or ')}`);
      }
      if (mt) method = { category: mc, type: mt };
    } else if (m && mc) {
      if (m.type !== undefined && m.type !== null && m.type !== '') r.err('/sharing/method/type', 'not_allowed', '只有共享平台方式需要填写类型', 'only 共享平台方式 takes a type');
      method = { category: mc };
    }
  }

  const op = r.object(o.openness, '/openness', ['isOpen', 'condition']);
  const isOpen = op ? r.boolean(op.isOpen, '/openness/isOpen') : undefined;
  const openCondition = op ? r.string(op.condition, '/openness/condition', { max: 1000, required: isOpen === true, multiline: true }) : undefined;

  const dataItems = readDataItems(r, o.dataItems, shareType, isOpen);
  if (category && ITEMISED_FORMATS.includes(category) && Array.isArray(o.dataItems ?? []) && ((o.dataItems as unknown[] | undefined)?.length ?? 0) === 0) {
    r.err('/dataItems', 'required', `格式为${category}的资源至少需要一个信息项`, `a ${category} resource needs at least one data item`);
  }

  const updateCycle = r.oneOf(o.updateCycle, '/updateCycle', UPDATE_CYCLES);
  const relatedRaw = r.array(o.relatedCodes, '/relatedCodes', 100) ?? [];
  const relatedCodes: string[] = [];
  relatedRaw.forEach((c, i) => {
    const code = r.string(c, `/relatedCodes/${i}`, { max: 40, required: true, pattern: RESOURCE_CODE_PATTERN, patternZh: '如 307016010101/00001' });
    if (code && !ctx.resourceCodeExists(code)) r.err(`/relatedCodes/${i}`, 'unknown_code', `关联资源代码 ${code} 不存在`, `related code ${code} does not exist`);
    else if (code) relatedCodes.push(code);
  });

  let census: Census | undefined;
  const cs = r.object(o.census, '/census', ['totalStorageGB', 'structuredRecords', 'sharedStorageGB', 'sharedRecords', 'openStorageGB', 'openRecords'], false);
  if (cs) {
    census = {};
    for (const k of ['totalStorageGB', 'sharedStorageGB', 'openStorageGB'] as const) {
      const n = r.number(cs[k], `/census/${k}`, { min: 0 });
      if (n !== undefined) census[k] = n;
    }
    for (const k of ['structuredRecords', 'sharedRecords', 'openRecords'] as const) {
      const n = r.number(cs[k], `/census/${k}`, { min: 0, integer: true });
      if (n !== undefined) census[k] = n;
    }
    const pairs: [keyof Census, keyof Census][] = [
      ['sharedStorageGB', 'totalStorageGB'], ['openStorageGB', 'totalStorageGB'], ['sharedRecords', 'structuredRecords'], ['openRecords', 'structuredRecords'],
    ];
    for (const [part, total] of pairs) {
      if (census[part] !== undefined && census[total] !== undefined && census[part]! > census[total]!) {
        r.err(`/census/${part}`, 'exceeds_total', '共享或开放量不能超过总量', `${part} cannot exceed ${total}`);
      }
    }
  }

  const baseDatabase = o.baseDatabase === null ? null : r.oneOf(o.baseDatabase, '/baseDatabase', BASE_DATABASES, false);
  const secrecy = r.oneOf(o.secrecy, '/secrecy', SECRECY);
  if (secrecy === '涉密') r.err('/secrecy', 'classified', '涉密信息资源不得纳入共享目录', 'classified (涉密) resources may not enter the sharing catalog');

  const authRaw = r.array(o.authoritativeSource, '/authoritativeSource', MAX_DATA_ITEMS) ?? [];
  const authoritativeSource: string[] = [];
  const itemNames = new Set(dataItems.map((d) => d.name));
  authRaw.forEach((a, i) => {
    const s = r.string(a, `/authoritativeSource/${i}`, { max: 100, required: true });
    if (s && !itemNames.has(s)) r.err(`/authoritativeSource/${i}`, 'not_an_item', `“${s}”不是本资源的信息项`, `"${s}" is not one of this resource's data items`);
    else if (s) authoritativeSource.push(s);
  });

  const sourceSystem = r.string(o.sourceSystem, '/sourceSystem', { max: 200 });
  const ct = r.object(o.contact, '/contact', ['name', 'phone', 'email'], false);
  let contact: ResourceInput['contact'];
  if (ct) {
    const cn = r.string(ct.name, '/contact/name', { max: 50 });
    const cp = r.string(ct.phone, '/contact/phone', { max: 20, pattern: PHONE, patternZh: '数字、空格、+、-、括号' });
    const ce = r.string(ct.email, '/contact/email', { max: 200, pattern: EMAIL, patternZh: '如 name@example.gov.cn' });
    contact = { ...(cn ? { name: cn } : {}), ...(cp ? { phone: cp } : {}), ...(ce ? { email: ce } : {}) };
  }
  const kwRaw = r.array(o.keywords, '/keywords', 30) ?? [];
  const keywords = kwRaw.map((k, i) => r.string(k, `/keywords/${i}`, { max: 30, required: true })).filter((k): k is string => !!k);

  if (r.errors.length) return { errors: r.errors };
  const value: ResourceInput = {
    classification: classification!, name: name!, provider: { agencyId: agencyId!, ...(unit ? { unit } : {}) }, abstract: abstract!,
    format: { category: category!, type: formatType!, ...(otherDescription ? { otherDescription } : {}) },
    dataItems,
    sharing: { type: shareType!, ...(condition && shareType === '有条件共享' ? { condition } : {}), ...(basis && shareType === '不予共享' ? { basis } : {}), ...(method ? { method } : {}) },
    openness: { isOpen: isOpen!, ...(openCondition && isOpen ? { condition: openCondition } : {}) },
    updateCycle: updateCycle!, relatedCodes, secrecy: secrecy!, authoritativeSource, keywords,
    ...(census ? { census } : {}), ...(baseDatabase !== undefined ? { baseDatabase } : {}),
    ...(sourceSystem ? { sourceSystem } : {}), ...(contact && Object.keys(contact).length ? { contact } : {}),
  };
  return { value, errors: [] };
}

/** Names are unique per provider after folding width, whitespace and punctuation (metadata.md element 2). */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The fields the anonymous public view may see (security-and-reliability.md): no contacts, census, systems. */
export function publicView(r: Resource): Partial<Resource> {
  const { contact: _c, census: _ce, sourceSystem: _s, createdBy: _cb, updatedBy: _ub, ...rest } = r;
  return { ...rest, provider: { agencyId: r.provider.agencyId, code: r.provider.code, name: r.provider.name } };
}
