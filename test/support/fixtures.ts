// Small builders for tests. They produce valid documents so a test changes only what it is about.

import { randomUUID } from 'node:crypto';
import type { Resource, ResourceInput } from '../../server/domain/resource.ts';

export const SYSTEM = { userId: 'u-test', username: 'tester' };

/** The audit chain's key in tests (production keeps its key outside the store; config.ts). */
export const TEST_AUDIT_KEY = Buffer.from('test-audit-key-of-at-least-32-characters', 'utf8');

export function resourceInput(over: Partial<ResourceInput> = {}): ResourceInput {
  return {
    classification: { classCode: '1', itemCode: '01', entryCode: '001' },
    name: '常住人口基本信息',
    provider: { agencyId: 'ag-gaj', unit: '人口管理处' },
    abstract: '全市常住人口的身份、户籍与居住信息,供各机关核验身份使用。',
    format: { category: '数据库', type: 'oracle' },
    dataItems: [
      { name: '公民身份号码', dataType: 'C', length: 18 },
      { name: '姓名', dataType: 'C', length: 50 },
      { name: '出生日期', dataType: 'D' },
    ],
    sharing: { type: '有条件共享', condition: '仅用于履行法定职责的身份核验', method: { category: '共享平台方式', type: '接口' } },
    openness: { isOpen: false },
    updateCycle: '每日',
    relatedCodes: [],
    secrecy: '非涉密',
    authoritativeSource: [],
    keywords: ['人口'],
    ...over,
  };
}

export function storedResource(over: Partial<Resource> = {}): Resource {
  const input = resourceInput();
  const now = new Date().toISOString();
  const id = over.id ?? randomUUID();
  return {
    ...input,
    id,
    code: `101001/${id.slice(0, 5).replace(/\D/g, '1').padEnd(5, '0')}`,
    provider: { ...input.provider, code: '11330100000000001X', name: '杭州市公安局' },
    status: 'draft',
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: 'tester',
    updatedBy: 'tester',
    nameKey: id,
    classNode: '101001',
    authorityItems: [],
    ...over,
  };
}
