import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { classificationCode, codeFromSlug, codeSlug, creditCheckChar, isValidCreditCode, parseClassificationCode, resourceCode } from '../../server/domain/codes.ts';
import { findOverlaps } from '../../server/domain/overlap.ts';
import { type ResourceInput, type ValidationContext, nameKey, validateResourceInput } from '../../server/domain/resource.ts';
import { findClassificationMarkings, hasClassificationMarking } from '../../server/domain/secrecy.ts';
import { foldTerm, parseSynonyms } from '../../server/domain/synonyms.ts';
import { canSeeResource, resourceVisibility, visibilityCond } from '../../server/domain/visibility.ts';
import { agencyCreditCode } from '../../server/seed/reference.ts';
import { resourceInput, storedResource } from '../support/fixtures.ts';

const CTX: ValidationContext = {
  classificationExists: (c) => ['101001', '101002', '3070160108'].includes(c),
  agency: (id) => (id === 'ag-gaj' ? { id, code: agencyCreditCode('330100', 8), name: '杭州市公安局' } : undefined),
  resourceCodeExists: (c) => c === '101001/00001',
};

function errorsOf(over: Partial<ResourceInput> | Record<string, unknown>): string[] {
  return validateResourceInput({ ...resourceInput(), ...over }, CTX).errors.map((e) => `${e.pointer} ${e.code}`);
}

describe('domain: GB 32100 credit codes', () => {
  it('accepts a code whose 18th character is the check character, and no other', () => {
    const code = agencyCreditCode('330100', 3);
    expect(isValidCreditCode(code)).to.equal(true);
    for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') {
      if (c !== code[17]) expect(isValidCreditCode(code.slice(0, 17) + c), c).to.equal(false);
    }
  });
  it('refuses the letters GB 32100 excludes and wrong lengths', () => {
    expect(creditCheckChar('91330100MA2I0000O')).to.equal(undefined);
    expect(isValidCreditCode('91330100')).to.equal(false);
    expect(isValidCreditCode('91350100M000100Y43')).to.equal(true); // a published sample code
  });
});

describe('domain: resource codes', () => {
  it('joins and splits classification levels', () => {
    expect(classificationCode({ classCode: '3', itemCode: '07', entryCode: '016', subEntryCode: '0108' })).to.equal('3070160108');
    expect(parseClassificationCode('3070160108')).to.deep.equal({ classCode: '3', itemCode: '07', entryCode: '016', subEntryCode: '0108' });
    expect(parseClassificationCode('30701')).to.equal(undefined);
    expect(resourceCode('101001', 7)).to.equal('101001/00007');
    expect(codeFromSlug(codeSlug('3070160108/00012'))).to.equal('3070160108/00012');
  });
});

describe('domain: the catalog record rules', () => {
  it('accepts a complete record and normalises it', () => {
    const { value, errors } = validateResourceInput({ ...resourceInput(), name: '  常住人口  ' }, CTX);
    expect(errors).to.deep.equal([]);
    expect(value!.name).to.equal('常住人口');
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown classification node', { classification: { classCode: '1', itemCode: '09' } }, '/classification unknown_node'],
    ['malformed entry code', { classification: { classCode: '1', itemCode: '01', entryCode: '1' } }, '/classification/entryCode pattern'],
    ['name too long', { name: '名'.repeat(201) }, '/name too_long'],
    ['unknown provider', { provider: { agencyId: 'ag-nope' } }, '/provider/agencyId unknown_agency'],
    ['format type of another category', { format: { category: '电子文件', type: 'oracle' } }, '/format/type enum'],
    ['其他 without a description', { format: { category: '电子文件', type: '其他' } }, '/format/otherDescription required'],
    ['no data items for a database', { dataItems: [] }, '/dataItems required'],
    ['no data items for a spreadsheet', { format: { category: '电子表格', type: 'xlsx' }, dataItems: [], sharing: { type: '有条件共享', condition: 'x', method: { category: '共享平台方式', type: '文件' } } }, '/dataItems required'],
    ['character item without length', { dataItems: [{ name: '姓名', dataType: 'C' }] }, '/dataItems/0/length required'],
    ['unknown data type', { dataItems: [{ name: '姓名', dataType: 'X' }] }, '/dataItems/0/dataType enum'],
    ['duplicate item names', { dataItems: [{ name: '姓名', dataType: 'D' }, { name: '姓 名', dataType: 'D' }] }, '/dataItems/1/name duplicate'],
    ['conditional sharing without a condition', { sharing: { type: '有条件共享', method: { category: '邮件' } } }, '/sharing/condition required'],
    ['not shared without a basis', { sharing: { type: '不予共享' } }, '/sharing/basis required'],
    ['not shared with a method', { sharing: { type: '不予共享', basis: '法', method: { category: '邮件' } } }, '/sharing/method not_allowed'],
    ['platform method without a type', { sharing: { type: '无条件共享', method: { category: '共享平台方式' } } }, '/sharing/method/type required'],
    ['database shared as files', { sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '文件' } } }, '/sharing/method/type format_mismatch'],
    ['file shared as a database', { format: { category: '电子文件', type: 'pdf' }, dataItems: [], sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '数据库' } } }, '/sharing/method/type format_mismatch'],
    ['type on a non-platform method', { sharing: { type: '无条件共享', method: { category: '拷盘', type: '文件' } } }, '/sharing/method/type not_allowed'],
    ['open without an open condition', { openness: { isOpen: true } }, '/openness/condition required'],
    ['item looser than the resource', { dataItems: [{ name: '姓名', dataType: 'D', shareType: '无条件共享' }] }, '/dataItems/0/shareType looser_than_resource'],
    ['item open while the resource is closed', { dataItems: [{ name: '姓名', dataType: 'D', open: true }] }, '/dataItems/0/open looser_than_resource'],
    ['unknown update cycle', { updateCycle: '每小时' }, '/updateCycle enum'],
    ['related code that does not exist', { relatedCodes: ['101001/00002'] }, '/relatedCodes/0 unknown_code'],
    ['shared volume above total', { census: { totalStorageGB: 1, sharedStorageGB: 2 } }, '/census/sharedStorageGB exceeds_total'],
    ['negative census figure', { census: { structuredRecords: -1 } }, '/census/structuredRecords too_small'],
    ['declared secret', { secrecy: '涉密' }, '/secrecy classified'],
    ['authority over an item it does not have', { authoritativeSource: ['统一社会信用代码'] }, '/authoritativeSource/0 not_an_item'],
    ['unknown top-level field', { colour: 'red' }, '/colour unknown_field'],
    ['wrong type', { openness: { isOpen: 'yes' } }, '/openness/isOpen type'],
    ['bad email', { contact: { email: 'nope' } }, '/contact/email pattern'],
  ];
  for (const [what, over, expected] of cases) {
    it(`reports ${what} as ${expected}`, () => {
      expect(errorsOf(over)).to.include(expected);
    });
  }

  it('allows an item to be stricter than its resource', () => {
    expect(errorsOf({ dataItems: [{ name: '姓名', dataType: 'D', shareType: '不予共享' }] })).to.deep.equal([]);
  });

  it('reports every problem of a bad record at once', () => {
    const errs = validateResourceInput({ sharing: { type: '不予共享', method: {} }, openness: { isOpen: true }, format: { category: '数据库' } }, CTX).errors;
    expect(errs.length).to.be.at.least(9);
    expect(new Set(errs.map((e) => e.pointer)).size).to.equal(errs.length);
  });

  it('folds names for uniqueness: width, spacing and punctuation do not make a new name', () => {
    expect(nameKey('常住人口·基本信息')).to.equal(nameKey(' 常住人口 基本信息 '));
    expect(nameKey('ＡＢＣ信息')).to.equal(nameKey('abc信息'));
  });
});

describe('domain: secrecy screen', () => {
  const marked = ['绝密', '机密★', '秘密★', '秘密★10年', '秘密级', '【秘密】', '（秘密）', '秘密', '绝 密', '机\u3000密', '秘\u200b密★', '機密', '絕密', '絶密', '祕密★', '秘-密★', '机.密'];
  const innocent = ['商业秘密', '涉及国家秘密的除外', '工作秘密', '个人隐私', '商业机密', '保密协议', '密码', '机构代码', '秘书处'];
  for (const t of marked) it(`finds a marking in "${t}"`, () => expect(hasClassificationMarking(`资料 ${t} 内容`) || hasClassificationMarking(t)).to.equal(true));
  for (const t of innocent) it(`leaves "${t}" alone`, () => expect(hasClassificationMarking(`本资源${t}说明`)).to.equal(false));
  it('points at every field that carries a marking, keys included', () => {
    expect(findClassificationMarkings({ a: '机密★', b: ['x', { c: '绝密' }], '秘密★': 1 })).to.deep.equal(['/a', '/b/1/c', '/秘密★']);
  });
});

describe('domain: 一数一源', () => {
  const synonyms = parseSynonyms(readFileSync('mappings/synonyms.txt', 'utf8'));
  it('folds item synonyms to one canonical term', () => {
    expect(foldTerm(synonyms, '身份证号')).to.equal('公民身份号码');
    expect(foldTerm(synonyms, '居民身份证号码')).to.equal('公民身份号码');
    expect(foldTerm(synonyms, '统一社会信用代码')).to.equal(foldTerm(synonyms, '信用代码'));
    expect(foldTerm(synonyms, '血型')).to.equal('血型');
  });
  it('names the authority for overlapping items, but not the agency\'s own authority', () => {
    const authority = storedResource({ provider: { agencyId: 'ag-gaj', code: 'c', name: '杭州市公安局' }, authorityItems: ['公民身份号码', '姓名'] });
    const input = { provider: { agencyId: 'ag-wsj' }, dataItems: [{ name: '身份证号', dataType: 'C' as const, length: 18 }, { name: '血型', dataType: 'C' as const, length: 2 }] };
    expect(findOverlaps(synonyms, input, [authority])).to.have.length(1);
    expect(findOverlaps(synonyms, input, [authority])[0].items).to.deep.equal(['身份证号']);
    expect(findOverlaps(synonyms, { ...input, provider: { agencyId: 'ag-gaj' } }, [authority])).to.deep.equal([]);
  });
});

describe('domain: visibility', () => {
  it('decides reading one entry and listing entries by the same rule', () => {
    const actors = [undefined, { userId: 'u', username: 'u', displayName: 'u', agencyId: 'ag-gaj', roles: ['data_steward' as const] },
      { userId: 'u', username: 'u', displayName: 'u', agencyId: 'ag-wsj', roles: ['agency_staff' as const] },
      { userId: 'u', username: 'u', displayName: 'u', agencyId: 'ag-fzb', roles: ['reviewer' as const] }];
    const docs = [
      storedResource({ status: 'draft' }), storedResource({ status: 'published' }),
      storedResource({ status: 'published', openness: { isOpen: true, condition: '无' } }), storedResource({ status: 'under_review', provider: { agencyId: 'ag-wsj', code: 'c', name: 'n' } }),
    ];
    const evalCond = (c: ReturnType<typeof visibilityCond>, d: Record<string, any>): boolean => {
      if (!c) return true;
      if ('and' in c) return c.and.every((x) => evalCond(x, d));
      if ('or' in c) return c.or.some((x) => evalCond(x, d));
      const v = c.path.split('.').reduce((o, k) => o?.[k], d as any);
      return 'eq' in c ? v === c.eq : false;
    };
    for (const a of actors) {
      const vis = resourceVisibility(a);
      for (const d of docs) expect(evalCond(visibilityCond(vis), d), `${a?.roles} ${d.status}`).to.equal(canSeeResource(vis, d));
    }
  });
});
