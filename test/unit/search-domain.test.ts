import { expect } from 'chai';
import { pinyinSortKey, pinyinText } from '../../indexers/pinyin.ts';
import { toDocument } from '../../indexers/resources.ts';
import { loadSynonyms } from '../../server/compose.ts';
import {
  MAX_TERMS, highlight, matchedItems, parseText, synonymGroups, toSearchCond,
} from '../../server/domain/search.ts';
import { indexTokens, queryTokens, runs, fold } from '../../server/domain/text.ts';
import { visibilityCond } from '../../server/domain/visibility.ts';
import { referenceAgencies } from '../../server/seed/reference.ts';
import { storedResource } from '../support/fixtures.ts';
import { doc } from '../contract/search.contract.ts';

const groups = synonymGroups(loadSynonyms());

describe('search domain: text analysis', () => {
  it('splits Han runs from letter/digit runs, folding width and case', () => {
    expect(runs(fold('ＧＤＰ2019年 人口,普查'))).to.deep.equal(['gdp2019', '年', '人口', '普查']);
  });

  it('indexes Han runs as unigrams and bigrams, words whole, and grams fields as letter pairs', () => {
    expect(indexTokens('人口普查', 'text')).to.deep.equal(['人', '人口', '口', '口普', '普', '普查', '查']);
    expect(indexTokens('gdp 人', 'text')).to.deep.equal(['gdp', '人']);
    expect(indexTokens('renkou rk', 'grams')).to.deep.equal(['re', 'en', 'nk', 'ko', 'ou', 'rk']);
    expect(queryTokens('人口普查', 'text')).to.deep.equal(['人口', '口普', '普查']);
    expect(queryTokens('税', 'text')).to.deep.equal(['税']);
    expect(queryTokens('r', 'grams')).to.deep.equal([]);
  });
});

describe('search domain: reading the query', () => {
  it('keeps only words: field syntax, wildcards, regexes, brackets, NUL and bidi controls are separators', () => {
    expect(parseText('name:企业* AND (登记) OR /.*/ \u0000\u202e人口', groups).terms).to.deep.equal([['name'], ['企业'], ['and'], ['登记'], ['or'], ['人口']]);
    expect(parseText('(((((', groups).terms).to.deep.equal([]);
  });

  it('bounds the work whatever is sent', () => {
    const { terms } = parseText(Array.from({ length: 100 }, (_, i) => `词${i}`).join(' '), groups);
    expect(terms.length).to.equal(MAX_TERMS);
    expect(parseText('人'.repeat(1000), groups).terms[0][0].length).to.equal(32);
  });

  it('expands synonyms from the shared file, the old share-type words included', () => {
    expect(parseText('身份证号', groups).terms[0]).to.include.members(['身份证号', '公民身份号码', '居民身份证号码']);
    expect(parseText('完全共享', groups).terms[0]).to.deep.equal(['完全共享', '无条件共享']);
    expect(parseText('发改委', groups).terms[0]).to.deep.equal(['发改委', '发展和改革委员会']);
  });

  it('maps the store\'s visibility condition to document paths, and refuses paths it does not know', () => {
    expect(toSearchCond(visibilityCond({ scope: 'agency', ownAgencyId: 'ag-gaj' })!)).to.deep.equal({ or: [{ path: 'status', eq: 'published' }, { path: 'agencyId', eq: 'ag-gaj' }] });
    expect(toSearchCond(visibilityCond({ scope: 'public' })!)).to.deep.equal({ and: [{ path: 'status', eq: 'published' }, { path: 'open', eq: true }] });
    expect(() => toSearchCond({ path: 'contact.phone', eq: 'x' })).to.throw(/no search path/);
  });
});

describe('search domain: highlighting on the raw text', () => {
  it('escapes everything and marks matches, folding width and case', () => {
    expect(highlight('<script>alert(1)</script>人口', [['人口']])).to.equal('&lt;script&gt;alert(1)&lt;/script&gt;<mark>人口</mark>');
    expect(highlight('ＧＤＰ统计', parseText('gdp', groups).terms)).to.equal('<mark>ＧＤＰ</mark>统计');
    expect(highlight('a"b\'c&', [['x']])).to.equal('a&quot;b&#39;c&amp;');
  });

  it('cuts a window around the first match', () => {
    const text = `${'甲'.repeat(200)}人口${'乙'.repeat(200)}`;
    const out = highlight(text, [['人口']], 40);
    expect(out.startsWith('…')).to.equal(true);
    expect(out.endsWith('…')).to.equal(true);
    expect(out).to.include('<mark>人口</mark>');
    expect(out.replace(/<\/?mark>|…/g, '').length).to.equal(40);
  });

  it('lists the data items a query matched, by synonym too', () => {
    const d = doc('x', { items: ['公民身份号码', '姓名', '身份证件号码'] });
    expect(matchedItems(d, parseText('身份证号', groups).terms).map((i) => i.name)).to.deep.equal(['公民身份号码', '身份证件号码']);
    expect(matchedItems(d, [])).to.deep.equal([]);
  });
});

describe('collator: record → search document', () => {
  const agencies = new Map(referenceAgencies().map((a) => [a.id, { ...a, version: 1 }]));

  it('writes pinyin and initials, and a pinyin sort key', () => {
    expect(pinyinText('人口基础信息库')).to.equal('renkoujichuxinxiku rkjcxxk');
    expect(pinyinText('重庆市')).to.equal('chongqingshi cqs');
    expect(pinyinSortKey('人口')).to.equal('ren kou 人口');
  });

  it('carries the agency path for sub-agency filters, the labels, and nothing a viewer may not see', () => {
    const r = storedResource({
      provider: { agencyId: 'ag-sc-mzj', code: 'x', name: '杭州市上城区民政局', unit: '低保科' }, contact: { name: '王敏', phone: '0571-1' }, sourceSystem: '内部系统',
      census: { totalStorageGB: 1 }, baseDatabase: '人口',
    });
    const d = toDocument(r, { agencies });
    expect(d.agencyPath).to.deep.equal(['ag-city', 'ag-sc', 'ag-sc-mzj']);
    expect(d.agencyText).to.deep.equal(['杭州市上城区民政局', '上城区民政局']);
    expect(d.labels).to.deep.equal(['有条件共享', '每日', '数据库', '人口']);
    expect(d.baseDatabase).to.equal('人口');
    expect(d.classItem).to.equal('101');
    const json = JSON.stringify(d);
    // The internal unit is hidden from the public view (publicView), so it is not searchable either.
    for (const secret of ['王敏', '0571-1', '内部系统', 'totalStorageGB', '低保科']) expect(json).to.not.include(secret);
  });
});
