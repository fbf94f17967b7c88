// The Elasticsearch adapter's translator: search model → request body, response → result, bulk items → outcomes.
// No server needed. The last block runs the generated query bodies through a small evaluator that applies the
// token rules of domain/text.ts (what the mapping's analyzers implement) and checks the documents and scores
// against the embedded engine's in-memory index: the two engines must agree on what matches.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { pinyinSortKey, pinyinText } from '../../indexers/pinyin.ts';
import { MemoryIndex } from '../../server/adapters/search/embedded/memory-index.ts';
import {
  MATCH_NONE, bulkItems, condQuery, facetBuckets, fieldClause, indexOperations, itemOutcome, phraseBoosts, searchBody,
  searchResult, termClause, tombstone,
} from '../../server/adapters/search/elasticsearch/translate.ts';
import {
  FACETS, type FacetName, PHRASE_BOOST, SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchDocument, type SearchQuery, matchesCond,
  compactText, parseText, synonymGroups,
} from '../../server/domain/search.ts';
import { parseSynonyms } from '../../server/domain/synonyms.ts';
import { fold, queryTokens, runs } from '../../server/domain/text.ts';
import type { Cond } from '../../server/ports/store.ts';

function query(over: Partial<SearchQuery> = {}): SearchQuery {
  return { terms: [], phrase: '', facets: [], sort: 'relevance', offset: 0, limit: 20, ...over };
}

const cs = (field: string, text: string, boost: number) => ({ constant_score: { filter: { match_phrase: { [field]: { query: text } } }, boost } });

type Q = Record<string, any>;
const bool = (body: ReturnType<typeof searchBody>): Q => (body.query as Q).bool;

describe('elasticsearch translate: matching clauses', () => {
  it('a Han term of two or more characters is a phrase on the .cjk bigram field of every text field, with its boost', () => {
    const t = termClause(['人口'], SEARCH_FIELD_NAMES) as Q;
    const byField = new Map(t.dis_max.queries.map((c: Q) => [Object.keys(c.constant_score.filter.match_phrase)[0], c]));
    expect(byField.get('name.cjk')).to.deep.equal(cs('name.cjk', '人口', 10));
    expect(byField.get('items.cjk')).to.deep.equal(cs('items.cjk', '人口', 6));
    expect(byField.get('keywords.cjk')).to.deep.equal(cs('keywords.cjk', '人口', 5));
    expect(byField.get('abstract.cjk')).to.deep.equal(cs('abstract.cjk', '人口', 3));
    expect(byField.get('agencyText.cjk')).to.deep.equal(cs('agencyText.cjk', '人口', 2));
    expect(byField.get('labels.cjk')).to.deep.equal(cs('labels.cjk', '人口', 1));
    // grams fields are searched on the field itself (the grams2 analyzer)
    expect(byField.get('code')).to.deep.equal(cs('code', '人口', 8));
    expect(byField.get('namePinyin')).to.deep.equal(cs('namePinyin', '人口', 4));
    expect(byField.get('agencyPinyin')).to.deep.equal(cs('agencyPinyin', '人口', 1));
    expect(byField.size).to.equal(9);
    expect(t.dis_max.tie_breaker).to.equal(0);
  });

  it('a single Han character uses the .uni field and skips grams fields, which have no one-character tokens', () => {
    const t = termClause(['人'], SEARCH_FIELD_NAMES) as Q;
    const fields = t.dis_max.queries.map((c: Q) => Object.keys(c.constant_score.filter.match_phrase)[0]);
    expect(fields).to.have.members(['name.uni', 'items.uni', 'keywords.uni', 'abstract.uni', 'agencyText.uni', 'labels.uni']);
    expect(fieldClause('人', 'code')).to.equal(undefined);
    expect(fieldClause('人', 'name')).to.deep.equal(cs('name.uni', '人', 10));
  });

  it('a Latin/digit word uses .uni on text fields and the grams fields when it has two or more characters', () => {
    const fields = ((termClause(['renkou'], SEARCH_FIELD_NAMES) as Q).dis_max.queries as Q[]).map((c) => Object.keys(c.constant_score.filter.match_phrase)[0]);
    expect(fields).to.have.members(['name.uni', 'items.uni', 'keywords.uni', 'abstract.uni', 'agencyText.uni', 'labels.uni', 'code', 'namePinyin', 'agencyPinyin']);
    expect(fieldClause('a', 'namePinyin')).to.equal(undefined);
    expect(fieldClause('a', 'abstract')).to.deep.equal(cs('abstract.uni', 'a', 3));
    expect(fieldClause('', 'abstract')).to.equal(undefined);
  });

  it('chooses a grams clause exactly when the shared token rules give the query tokens (text.ts queryTokens)', () => {
    for (const alt of ['人', '人口', '人口基础信息库', 'a', 'ab', 'gdp', '𠀀', '𠀀𠀁', '1', '12']) {
      for (const f of SEARCH_FIELD_NAMES) {
        const expectClause = queryTokens(alt, SEARCH_FIELDS[f].kind).length > 0;
        expect(fieldClause(alt, f) !== undefined, `${alt} in ${f}`).to.equal(expectClause);
      }
    }
  });

  it('puts every alternative of a term into one dis_max, and one must clause per term', () => {
    const body = searchBody(query({ terms: [['身份证号', '公民身份号码'], ['人']], phrase: '身份证号人', fields: ['items'] }));
    const must = bool(body).must as Q[];
    expect(must).to.have.length(2);
    expect(must[0]).to.deep.equal({ dis_max: { queries: [cs('items.cjk', '身份证号', 6), cs('items.cjk', '公民身份号码', 6)], tie_breaker: 0 } });
    expect(must[1]).to.deep.equal({ dis_max: { queries: [cs('items.uni', '人', 6)], tie_breaker: 0 } });
  });

  it('a term no allowed field can match matches nothing (the whole query is empty, as in the embedded engine)', () => {
    expect(termClause(['人'], ['code', 'namePinyin'])).to.deep.equal(MATCH_NONE);
    const body = searchBody(query({ terms: [['人']], phrase: '人', fields: ['code'] }));
    expect(bool(body).must).to.deep.equal([{ match_none: {} }]);
  });

  it('without terms there is no must and no scoring extra; tombstones are always excluded', () => {
    const b = bool(searchBody(query()));
    expect(b.must).to.equal(undefined);
    expect(b.should).to.equal(undefined);
    expect(b.must_not).to.deep.equal([{ term: { deleted: true } }]);
    expect(bool(searchBody(query({ terms: [['人口']], phrase: '人口' }))).must_not).to.deep.equal([{ term: { deleted: true } }]);
  });

  it('the phrase boosts are should clauses only: name contains (20, on .uni so it spans punctuation) and name equals (20 more, 40 in all)', () => {
    const b = bool(searchBody(query({ terms: [['人口'], ['信息']], phrase: '人口信息' })));
    expect(b.minimum_should_match).to.equal(0);
    expect(b.should).to.deep.equal([
      cs('name.uni', '人口信息', PHRASE_BOOST.nameContains),
      {
        constant_score: {
          filter: { term: { nameCompact: '人口信息' } },
          boost: PHRASE_BOOST.nameEquals - PHRASE_BOOST.nameContains,
        },
      },
    ]);
    expect((phraseBoosts('gdp统计')[0] as Q).constant_score.filter).to.deep.equal({ match_phrase: { 'name.uni': { query: 'gdp统计' } } });
    expect(phraseBoosts('人')).to.deep.equal([]);
  });

  it('never uses query_string: hostile text reaches Elasticsearch only as phrase values (B5)', () => {
    const { terms, phrase } = parseText('secret:* OR (a AND b) /.*/ \u0000 \u202e"quoted"', new Map());
    const json = JSON.stringify(searchBody(query({ terms, phrase })));
    expect(json).to.not.match(/query_string|simple_query_string|regexp|wildcard|"fuzzy"/);
    expect(json).to.not.contain('*');
    expect(json).to.not.contain(':*');
    // 'secret' is only ever a phrase to find
    const values = [...json.matchAll(/"query":"([^"]*)"/g)].map((m) => m[1]);
    expect(values).to.include('secret');
  });

  it('refuses fields and facets outside the allowlist (B6)', () => {
    expect(() => searchBody(query({ terms: [['x']], fields: ['secretField' as never] }))).to.throw(/not a search field/);
    expect(() => searchBody(query({ facets: ['__proto__' as FacetName] }))).to.throw(/not a facet/);
  });
});

describe('elasticsearch translate: filters', () => {
  it('translates eq/in/prefix on keyword paths to term/terms/prefix', () => {
    expect(condQuery({ path: 'status', eq: 'published' })).to.deep.equal({ term: { status: 'published' } });
    expect(condQuery({ path: 'agencyPath', in: ['ag-1', 'ag-2'] })).to.deep.equal({ terms: { agencyPath: ['ag-1', 'ag-2'] } });
    expect(condQuery({ path: 'classNode', prefix: '101' })).to.deep.equal({ prefix: { classNode: { value: '101' } } });
    expect(condQuery({ path: 'open', eq: true })).to.deep.equal({ term: { open: true } });
    expect(condQuery({ path: 'open', in: [true, false] })).to.deep.equal({ terms: { open: [true, false] } });
  });

  it('is type-strict like matchesCond: wrong-typed values, empty in and empty or match nothing', () => {
    expect(condQuery({ path: 'open', eq: 'true' })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ path: 'status', eq: 5 })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ path: 'baseDatabase', eq: null })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ path: 'status', in: [] })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ path: 'status', in: [1, 'published', null, 'published'] })).to.deep.equal({ terms: { status: ['published'] } });
    expect(condQuery({ path: 'open', prefix: 't' })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ or: [] })).to.deep.equal(MATCH_NONE);
    expect(condQuery({ and: [] })).to.deep.equal({ match_all: {} });
  });

  it('nests and/or as bool filter / should with minimum_should_match 1', () => {
    const visibility: Cond = {
      or: [
        { and: [{ path: 'status', eq: 'published' }, { path: 'open', eq: true }] },
        { path: 'agencyPath', eq: 'ag-gaj' },
      ],
    };
    expect(condQuery(visibility)).to.deep.equal({
      bool: {
        should: [
          { bool: { filter: [{ term: { status: 'published' } }, { term: { open: true } }] } },
          { term: { agencyPath: 'ag-gaj' } },
        ],
        minimum_should_match: 1,
      },
    });
    const b = bool(searchBody(query({ filter: visibility })));
    expect(b.filter).to.deep.equal([condQuery(visibility)]);
    expect(b.must_not).to.deep.equal([{ term: { deleted: true } }]);
  });

  it('throws on paths outside FILTER_PATHS, including prototype keys', () => {
    expect(() => condQuery({ path: 'contacts.phone', eq: 'x' })).to.throw(/not a search filter path/);
    expect(() => condQuery({ path: '__proto__', eq: 'x' })).to.throw(/not a search filter path/);
    expect(() => condQuery({ and: [{ path: 'status', eq: 'x' }, { path: 'name', eq: 'x' }] })).to.throw(/not a search filter path/);
  });
});

describe('elasticsearch translate: facets, sort, paging', () => {
  it('adds one terms aggregation per facet: size 100, count desc then key asc', () => {
    const body = searchBody(query({ facets: ['agency', 'open', 'class'] }));
    expect(body.aggs).to.deep.equal({
      agency: { terms: { field: 'agencyId', size: 100, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      open: { terms: { field: 'open', size: 100, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      class: { terms: { field: FACETS.class, size: 100, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
    });
    expect(searchBody(query()).aggs).to.equal(undefined);
  });

  it('sorts by score, then newest, then id; by pinyin name; by date', () => {
    expect(searchBody(query({ sort: 'relevance' })).sort).to.deep.equal([{ _score: { order: 'desc' } }, { updatedAt: { order: 'desc' } }, { id: { order: 'asc' } }]);
    expect(searchBody(query({ sort: 'name' })).sort).to.deep.equal([{ nameSort: { order: 'asc' } }, { id: { order: 'asc' } }]);
    expect(searchBody(query({ sort: 'updated' })).sort).to.deep.equal([{ updatedAt: { order: 'desc' } }, { id: { order: 'asc' } }]);
  });

  it('pages with from/size, counts every hit, reports scores whatever the sort, and never returns `deleted`', () => {
    const body = searchBody(query({ offset: 40, limit: 20, sort: 'name' }));
    expect(body).to.include({ from: 40, size: 20, track_total_hits: true, track_scores: true });
    expect(body._source).to.deep.equal({ excludes: ['deleted'] });
  });

  it('answers a page beyond max_result_window as an empty page (total and facets still counted), not an error', () => {
    expect(searchBody(query({ offset: 9_990, limit: 10 }))).to.include({ from: 9_990, size: 10 });
    expect(searchBody(query({ offset: 100_000, limit: 10, facets: ['agency'] }))).to.include({ from: 0, size: 0 });
  });
});

function doc(over: Partial<SearchDocument> & { id: string; name: string }): SearchDocument {
  return {
    version: 1, code: '101001/00001', abstract: '', items: [], keywords: [], agencyId: 'ag-1', agencyName: '杭州市公安局',
    agencyPath: ['ag-root', 'ag-1'], agencyText: ['杭州市公安局'], classNode: '101001', classItem: '101', shareType: '无条件共享',
    formatCategory: '数据库', updateCycle: '每日', baseDatabase: '', open: false, status: 'published', updatedAt: '2026-01-01T00:00:00.000Z',
    labels: [], namePinyin: pinyinText(over.name), agencyPinyin: pinyinText('杭州市公安局'), nameSort: pinyinSortKey(over.name),
    nameCompact: compactText(over.name), ...over,
  };
}

describe('elasticsearch translate: responses', () => {
  it('maps hits to documents (dropping `deleted` and tombstones), scores and the exact total', () => {
    const d = doc({ id: 'r1', name: '人口信息' });
    const res = searchResult({
      hits: {
        total: { value: 57, relation: 'eq' },
        hits: [
          { _id: 'r1', _score: 12.5, _source: { ...d, deleted: false } },
          { _id: 'r2', _score: null, _source: { ...doc({ id: 'r2', name: 'x' }) } },
          { _id: 'r3', _score: 1, _source: { id: 'r3', version: 3, deleted: true } as never },
        ],
      },
    }, []);
    expect(res.total).to.equal(57);
    expect(res.hits.map((h) => h.doc.id)).to.deep.equal(['r1', 'r2']);
    expect(res.hits[0]).to.deep.equal({ doc: d, score: 12.5 });
    expect(res.hits[0].doc).to.not.have.property('deleted');
    expect(res.hits[1].score).to.equal(0);
    expect(res.facets).to.deep.equal({});
  });

  it('maps buckets to {value, count}; boolean keys through key_as_string; orders count desc then value asc', () => {
    const res = searchResult({
      hits: { total: 10, hits: [] },
      aggregations: {
        open: { buckets: [{ key: 1, key_as_string: 'true', doc_count: 3 }, { key: 0, key_as_string: 'false', doc_count: 7 }] },
        agency: { buckets: [{ key: 'ag-b', doc_count: 4 }, { key: 'ag-a', doc_count: 4 }, { key: 'ag-c', doc_count: 9 }, { key: 'ag-z', doc_count: 0 }] },
      },
    }, ['open', 'agency', 'status']);
    expect(res.total).to.equal(10);
    expect(res.facets.open).to.deep.equal([{ value: 'false', count: 7 }, { value: 'true', count: 3 }]);
    expect(res.facets.agency).to.deep.equal([{ value: 'ag-c', count: 9 }, { value: 'ag-a', count: 4 }, { value: 'ag-b', count: 4 }]);
    // a facet asked for but absent from the response is empty, not missing
    expect(res.facets.status).to.deep.equal([]);
    expect(facetBuckets({ buckets: [{ key: '', doc_count: 2 }] })).to.deep.equal([{ value: '', count: 2 }]);
  });
});

describe('elasticsearch translate: writes', () => {
  it('builds index actions with the record version as an external version, tombstones as documents', () => {
    const d = doc({ id: 'r1', name: '人口', version: 7 });
    expect(indexOperations('alias-x', [d, tombstone('r2', 4)])).to.deep.equal([
      { index: { _index: 'alias-x', _id: 'r1', version: 7, version_type: 'external' } },
      d,
      { index: { _index: 'alias-x', _id: 'r2', version: 4, version_type: 'external' } },
      { id: 'r2', version: 4, deleted: true },
    ]);
    expect(indexOperations('a', [d], 'external_gte', () => 9)[0]).to.deep.equal({ index: { _index: 'a', _id: 'r1', version: 9, version_type: 'external_gte' } });
  });

  it('maps bulk items: 2xx ok, version conflict stale, 429/5xx/rejected retry, other 4xx failed', () => {
    const err = (type: string) => ({ type, reason: `${type} happened` });
    expect(itemOutcome('a', { status: 201 })).to.deep.equal({ id: 'a', status: 'ok' });
    expect(itemOutcome('a', { status: 200 })).to.deep.equal({ id: 'a', status: 'ok' });
    expect(itemOutcome('a', { status: 409, error: err('version_conflict_engine_exception') })).to.deep.equal({ id: 'a', status: 'stale' });
    expect(itemOutcome('a', { status: 429, error: err('es_rejected_execution_exception') })).to.deep.equal({ id: 'a', status: 'retry', reason: 'es_rejected_execution_exception: es_rejected_execution_exception happened' });
    expect(itemOutcome('a', { status: 503, error: err('unavailable_shards_exception') }).status).to.equal('retry');
    expect(itemOutcome('a', { status: 400, error: err('es_rejected_execution_exception') }).status).to.equal('retry');
    expect(itemOutcome('a', { status: 400, error: err('mapper_parsing_exception') })).to.deep.equal({ id: 'a', status: 'failed', reason: 'mapper_parsing_exception: mapper_parsing_exception happened' });
    expect(itemOutcome('a', { status: 400, error: err('strict_dynamic_mapping_exception') }).status).to.equal('failed');
    expect(itemOutcome('a', undefined).status).to.equal('retry');
    expect(bulkItems([{ index: { status: 201 } }, { create: { status: 409 } }])).to.deep.equal([{ status: 201 }, { status: 409 }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Agreement with the embedded engine. The evaluator implements the query DSL subset the translator emits, and
// emulates the mapping's analyzers (mappings/resources.ts) as token sequences, independently of text.ts:
//   .uni  standard tokenizer: one token per Han character, one per other word, no position gap at punctuation;
//   .cjk  the same tokens through cjk_bigram (no unigrams): adjacent Han characters become bigrams, a lone Han
//         character stays a unigram, punctuation breaks adjacency;
//   grams the two-character ngram tokenizer over letter/digit runs, one position per gram.
// Array values are separate (position_increment_gap 100). match_phrase = the query's tokens occur consecutively.

const WORDS = /\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}])+|[^\p{L}\p{N}]+/gu;

/** Standard-tokenizer-like tokens, each with whether it touches the previous token (no separator between). */
function standardTokens(text: string): { tok: string; adjacent: boolean }[] {
  const out: { tok: string; adjacent: boolean }[] = [];
  let gap = true;
  for (const m of fold(text).match(WORDS) ?? []) {
    if (/^[^\p{L}\p{N}]/u.test(m)) {
      gap = true;
      continue;
    }
    out.push({ tok: m, adjacent: !gap });
    gap = false;
  }
  return out;
}

const han = (t: string) => /^\p{Script=Han}$/u.test(t);

function analyze(text: string, analyzer: 'uni' | 'cjk' | 'grams'): string[] {
  if (analyzer === 'grams') {
    const out: string[] = [];
    for (const run of fold(text).match(/[\p{L}\p{N}]+/gu) ?? []) {
      const c = [...run];
      for (let i = 0; i + 1 < c.length; i++) out.push(c[i] + c[i + 1]);
    }
    return out;
  }
  const toks = standardTokens(text);
  if (analyzer === 'uni') return toks.map((t) => t.tok);
  const out: string[] = [];
  for (let i = 0; i < toks.length;) {
    if (!han(toks[i].tok)) {
      out.push(toks[i++].tok);
      continue;
    }
    let j = i + 1;
    while (j < toks.length && han(toks[j].tok) && toks[j].adjacent) j++;
    if (j - i === 1) out.push(toks[i].tok);
    else for (let k = i; k + 1 < j; k++) out.push(toks[k].tok + toks[k + 1].tok);
    i = j;
  }
  return out;
}

function consecutive(hay: string[], needle: string[]): boolean {
  if (!needle.length) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

function matchPhrase(d: SearchDocument, target: string, text: string): boolean {
  const [field, sub] = target.split('.');
  const kind = SEARCH_FIELDS[field as keyof typeof SEARCH_FIELDS]?.kind;
  if (!kind) throw new Error(`phrase on unknown field ${target}`);
  const analyzer = kind === 'grams' ? 'grams' : sub;
  if ((kind === 'grams') !== (sub === undefined) || !['uni', 'cjk', 'grams'].includes(analyzer)) throw new Error(`no such field ${target}`);
  const raw = (d as unknown as Record<string, unknown>)[field];
  const values = Array.isArray(raw) ? raw : [raw];
  const needle = analyze(text, analyzer as 'uni' | 'cjk' | 'grams');
  return values.some((v) => consecutive(analyze(String(v ?? ''), analyzer as 'uni' | 'cjk' | 'grams'), needle));
}

/** The score of a query for a document, or undefined when it does not match. */
function evaluate(q: Q, d: SearchDocument & { deleted?: boolean }): number | undefined {
  const [type] = Object.keys(q);
  const v = q[type];
  switch (type) {
    case 'match_all': return 0;
    case 'match_none': return undefined;
    case 'constant_score': return evaluate(v.filter, d) === undefined ? undefined : v.boost;
    case 'dis_max': {
      const scores = (v.queries as Q[]).map((x) => evaluate(x, d)).filter((s) => s !== undefined) as number[];
      return scores.length ? Math.max(...scores) : undefined;
    }
    case 'match_phrase': {
      const [target] = Object.keys(v);
      return matchPhrase(d, target, v[target].query) ? 0 : undefined;
    }
    case 'term': {
      const [path] = Object.keys(v);
      if (path === 'deleted') return d.deleted === v[path] ? 0 : undefined;
      return matchesCond(d, { path, eq: v[path] }) ? 0 : undefined;
    }
    case 'terms': {
      const [path] = Object.keys(v);
      return matchesCond(d, { path, in: v[path] }) ? 0 : undefined;
    }
    case 'prefix': {
      const [path] = Object.keys(v);
      return matchesCond(d, { path, prefix: v[path].value }) ? 0 : undefined;
    }
    case 'bool': {
      let score = 0;
      for (const x of (v.must ?? []) as Q[]) {
        const s = evaluate(x, d);
        if (s === undefined) return undefined;
        score += s;
      }
      for (const x of (v.filter ?? []) as Q[]) if (evaluate(x, d) === undefined) return undefined;
      for (const x of (v.must_not ?? []) as Q[]) if (evaluate(x, d) !== undefined) return undefined;
      let matchedShould = 0;
      for (const x of (v.should ?? []) as Q[]) {
        const s = evaluate(x, d);
        if (s !== undefined) {
          matchedShould++;
          score += s;
        }
      }
      const min = v.minimum_should_match ?? (v.should && !v.must && !v.filter ? 1 : 0);
      return matchedShould >= min ? score : undefined;
    }
    default: throw new Error(`query type the evaluator does not know: ${type}`);
  }
}

describe('elasticsearch translate: same documents and scores as the embedded engine', () => {
  const groups = synonymGroups(parseSynonyms(readFileSync(new URL('../../mappings/synonyms.txt', import.meta.url), 'utf8')));
  const docs: SearchDocument[] = [
    doc({ id: 'a', name: '人口基础信息库', items: ['公民身份号码', '姓名'], abstract: '全市常住人口信息', open: true }),
    doc({ id: 'b', name: '法人单位信息', items: ['统一社会信用代码', '法定代表人'], agencyId: 'ag-2', agencyPath: ['ag-root', 'ag-2'], agencyText: ['市市场监管局', '市场监管局'] }),
    doc({ id: 'c', name: '人口,普查', abstract: '第七次人口普查汇总', classNode: '102003', classItem: '102' }),
    doc({ id: 'd', name: 'GDP统计年报', code: '203001/00012', keywords: ['gdp', '统计'], items: ['身份证号'] }),
    doc({ id: 'e', name: '不动产登记信息', items: ['不动产单元号', '权利人'], labels: ['有条件共享'], status: 'draft' }),
    doc({ id: 'f', name: '人', abstract: '单字名称' }),
    doc({ id: 'g', name: '人口信息', abstract: '人口 信息', open: true, updatedAt: '2026-02-01T00:00:00.000Z' }),
  ];
  const tombstoned = { id: 'h', version: 2, deleted: true } as unknown as SearchDocument;
  const memory = new MemoryIndex();
  for (const d of docs) memory.put(d);

  const texts = ['人口', '人', '人口信息', '口普', '人口 信息', '身份证号', 'renkou', 'rkjc', 'gdp', 'GDP统计年报', '203001', '00012', '公安',
    '市场监管', '部分共享', 'r', '不动产 单元', '人口普查', '信息 库 人口', 'nothing-here', '统计 gdp'];
  const filters: (Cond | undefined)[] = [
    undefined,
    { path: 'status', eq: 'published' },
    { or: [{ path: 'open', eq: true }, { path: 'agencyPath', in: ['ag-2'] }] },
    { and: [{ path: 'classNode', prefix: '10' }, { path: 'status', in: ['published', 'draft'] }] },
  ];

  for (const text of texts) {
    it(`agrees on "${text}"`, () => {
      const { terms, phrase } = parseText(text, groups);
      for (const filter of filters) {
        for (const fields of [undefined, ['items'] as const, ['name', 'namePinyin'] as const]) {
          const q = query({ terms, phrase, filter, fields, limit: 100 });
          const expected = new Map(memory.query(q).hits.map((h) => [h.id, h.score]));
          const body = searchBody(q);
          const actual = new Map<string, number>();
          for (const d of [...docs, tombstoned]) {
            const s = evaluate(body.query as Q, d);
            if (s !== undefined) actual.set(d.id, s);
          }
          const label = `${text} / ${JSON.stringify(filter)} / ${fields}`;
          expect([...actual.keys()].sort(), label).to.deep.equal([...expected.keys()].sort());
          // Same arithmetic: best field per term, summed, plus the phrase boosts (the embedded scores are float32).
          for (const [id, s] of expected) expect(actual.get(id), `${label} score of ${id}`).to.be.closeTo(s, 1e-3);
        }
      }
    });
  }

  it('the evaluator tells a wrong field choice apart (so the agreement above means something)', () => {
    // a two-character Han term on .uni would match across punctuation, a single character on .cjk not at all
    expect(evaluate({ match_phrase: { 'name.uni': { query: '口普' } } }, docs[2])).to.equal(0);
    expect(evaluate({ match_phrase: { 'name.cjk': { query: '口普' } } }, docs[2])).to.equal(undefined);
    expect(evaluate({ match_phrase: { 'name.cjk': { query: '人' } } }, docs[0])).to.equal(undefined);
    expect(evaluate({ match_phrase: { 'name.uni': { query: '人' } } }, docs[0])).to.equal(0);
    expect(evaluate({ match_phrase: { namePinyin: { query: 'jichu' } } }, docs[0])).to.equal(0);
    expect(evaluate(searchBody(query({ terms: [['口普']], phrase: '口普', fields: ['name'] })).query as Q, docs[2])).to.equal(undefined);
    // matched by the abstract (3); the name boost follows the embedded engine's concatenated runs (+20)
    expect(evaluate(searchBody(query({ terms: [['口普']], phrase: '口普', fields: ['abstract'] })).query as Q, docs[2])).to.equal(23);
  });
});
