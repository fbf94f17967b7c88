// The Elasticsearch adapter's pure half: the search model (domain/search) → request bodies, and responses →
// the model's results and bulk outcomes. No client and no I/O here, so every rule is unit-tested as data
// (test/unit/es-translate.test.ts).
//
// Which documents match is decided only by phrase clauses on the sub-fields whose analyzers reproduce the token
// rules of domain/text.ts (`.cjk` bigrams, `.uni` unigrams/words, grams2 fields), one clause per (alternative,
// field), so Elasticsearch returns exactly the documents the embedded engine returns. Every clause is a
// constant_score carrying the field's boost, combined per term with dis_max (the best field counts) and summed over
// terms: the same arithmetic as the embedded engine's score, so both engines also rank alike instead of one of
// them mixing in BM25 statistics the other cannot reproduce. User text only ever reaches Elasticsearch as the
// `query` of a match_phrase or a term value, never as query syntax (B5: no query_string anywhere).

import type { estypes } from '@elastic/elasticsearch';
import {
  type EngineResult, FACETS, FILTER_PATHS, type FacetBucket, type FacetName, type FilterPath, PHRASE_BOOST,
  SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchDocument, type SearchField, type SearchQuery,
} from '../../../domain/search.ts';
import { isHan } from '../../../domain/text.ts';
import type { ItemOutcome } from '../../../ports/search.ts';
import type { Cond } from '../../../ports/store.ts';

type Query = estypes.QueryDslQueryContainer;

/** Matches no document: a term no field can match, a filter value of the wrong type, an empty `in`/`or`. */
export const MATCH_NONE: Query = { match_none: {} };

/** Tombstones are documents ({id, version, deleted: true}) so their version outlives any delete (F8). */
export const NOT_DELETED: Query = { term: { deleted: true } };

/** A document as stored: a live SearchDocument, or a tombstone. */
export type StoredDoc = SearchDocument & { deleted?: boolean };
export interface Tombstone {
  id: string;
  version: number;
  deleted: true;
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** The clause for one alternative in one field, or undefined when that field cannot match it (text.ts queryTokens). */
export function fieldClause(alt: string, field: SearchField): Query | undefined {
  const { kind, boost } = SEARCH_FIELDS[field];
  const chars = [...alt].length;
  if (chars === 0) return undefined;
  let target: string;
  if (kind === 'grams') {
    // grams2 indexes character bigrams only: one character has no token to find.
    if (chars < 2) return undefined;
    target = field;
  } else {
    target = isHan(alt) && chars >= 2 ? `${field}.cjk` : `${field}.uni`;
  }
  return { constant_score: { filter: { match_phrase: { [target]: { query: alt } } }, boost } };
}

/** One term: matches when any alternative matches in any allowed field; scores as its best field. */
export function termClause(term: readonly string[], fields: readonly SearchField[]): Query {
  const queries: Query[] = [];
  for (const alt of term) {
    for (const f of fields) {
      const c = fieldClause(alt, f);
      if (c) queries.push(c);
    }
  }
  // A term nothing can match makes the whole conjunction empty, as in the embedded engine.
  if (!queries.length) return MATCH_NONE;
  return { dis_max: { queries, tie_breaker: 0 } };
}

/**
 * Scoring only (never decides the match): the embedded engine adds nameEquals when the folded name, runs
 * concatenated, is the phrase, else nameContains when it contains it.
 * - "contains" is a phrase on `name.uni`: the standard tokenizer gives one token per Han character and per word
 *   with no position gap at punctuation, so the phrase matches across it as the embedded engine's concatenated
 *   runs do (人口普查 in 人口,普查).
 * - "equals" is a term on nameCompact, the folded name with its runs concatenated, which is exactly what the
 *   embedded engine compares the phrase with. This clause adds the difference, so an equal name scores
 *   nameEquals in all, as in the embedded engine.
 */
export function phraseBoosts(phrase: string): Query[] {
  if (phrase.length < 2) return [];
  return [
    { constant_score: { filter: { match_phrase: { 'name.uni': { query: phrase } } }, boost: PHRASE_BOOST.nameContains } },
    {
      constant_score: {
        filter: { term: { nameCompact: phrase } },
        boost: PHRASE_BOOST.nameEquals - PHRASE_BOOST.nameContains,
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Filters

/** Mapping types of the filter paths: everything is a keyword except `open`. */
function pathType(path: FilterPath): 'keyword' | 'boolean' {
  return path === 'open' ? 'boolean' : 'keyword';
}

function filterPath(path: unknown): FilterPath {
  if (typeof path !== 'string' || !(FILTER_PATHS as readonly string[]).includes(path)) {
    throw new Error(`not a search filter path: ${String(path)}`);
  }
  return path as FilterPath;
}

function typed(v: unknown, type: 'keyword' | 'boolean'): v is string | boolean {
  return type === 'boolean' ? typeof v === 'boolean' : typeof v === 'string';
}

/**
 * A Cond as a filter query, with matchesCond's semantics (the reference): comparisons are type-strict (a number or
 * null never equals a keyword, 'true' never equals the boolean), so the values are checked here rather than left
 * to Elasticsearch, which would coerce them. `agencyPath` is a keyword array: term/terms/prefix match any element.
 */
export function condQuery(c: Cond): Query {
  if ('and' in c) {
    if (!Array.isArray(c.and)) throw new Error('malformed search filter');
    return c.and.length ? { bool: { filter: c.and.map(condQuery) } } : { match_all: {} };
  }
  if ('or' in c) {
    if (!Array.isArray(c.or)) throw new Error('malformed search filter');
    return c.or.length ? { bool: { should: c.or.map(condQuery), minimum_should_match: 1 } } : MATCH_NONE;
  }
  const path = filterPath(c.path);
  const type = pathType(path);
  if ('eq' in c) return typed(c.eq, type) ? { term: { [path]: c.eq } } : MATCH_NONE;
  if ('in' in c) {
    if (!Array.isArray(c.in)) throw new Error('malformed search filter');
    const values = [...new Set(c.in.filter((v) => typed(v, type)))] as (string | boolean)[];
    return values.length ? { terms: { [path]: values } } : MATCH_NONE;
  }
  if ('prefix' in c) {
    return type === 'keyword' && typeof c.prefix === 'string' ? { prefix: { [path]: { value: c.prefix } } } : MATCH_NONE;
  }
  throw new Error('malformed search filter');
}

// ---------------------------------------------------------------------------------------------------------------
// The search request

export const FACET_SIZE = 100;
/** index.max_result_window's default (the mapping does not change it). */
export const ES_MAX_RESULT_WINDOW = 10_000;

/** The body of a search through the alias (everything but `index` and transport options). */
export interface SearchBody {
  query: Query;
  sort: estypes.SortCombinations[];
  from: number;
  size: number;
  track_total_hits: true;
  /** Sorting by name or date would otherwise leave _score null; the embedded engine always reports it. */
  track_scores: true;
  _source: { excludes: string[] };
  aggs?: Record<string, estypes.AggregationsAggregationContainer>;
}

export function sortOf(sort: SearchQuery['sort']): estypes.SortCombinations[] {
  if (sort === 'name') return [{ nameSort: { order: 'asc' } }, { id: { order: 'asc' } }];
  if (sort === 'updated') return [{ updatedAt: { order: 'desc' } }, { id: { order: 'asc' } }];
  return [{ _score: { order: 'desc' } }, { updatedAt: { order: 'desc' } }, { id: { order: 'asc' } }];
}

export function searchBody(q: SearchQuery): SearchBody {
  const fields = q.fields ?? SEARCH_FIELD_NAMES;
  for (const f of fields) {
    if (!Object.hasOwn(SEARCH_FIELDS, f)) throw new Error(`not a search field: ${String(f)}`);
  }
  const bool: estypes.QueryDslBoolQuery = { must_not: [NOT_DELETED] };
  if (q.terms.length) {
    bool.must = q.terms.map((t) => termClause(t, fields));
    const extras = phraseBoosts(q.phrase);
    if (extras.length) {
      bool.should = extras;
      bool.minimum_should_match = 0;
    }
  }
  if (q.filter) bool.filter = [condQuery(q.filter)];
  // Elasticsearch refuses from + size beyond index.max_result_window with an error; a page that deep is past
  // anything the API lets users ask for (MAX_WINDOW), so it is answered as an empty page with the true total.
  const beyond = q.offset + q.limit > ES_MAX_RESULT_WINDOW;
  const body: SearchBody = {
    query: { bool },
    sort: sortOf(q.sort),
    from: beyond ? 0 : q.offset,
    size: beyond ? 0 : q.limit,
    track_total_hits: true,
    track_scores: true,
    _source: { excludes: ['deleted'] },
  };
  if (q.facets.length) {
    body.aggs = {};
    for (const name of q.facets) {
      if (!Object.hasOwn(FACETS, name)) throw new Error(`not a facet: ${String(name)}`);
      // One shard (mappings/resources.ts), so the top 100 are exact, like the embedded engine's counts.
      body.aggs[name] = { terms: { field: FACETS[name], size: FACET_SIZE, order: [{ _count: 'desc' }, { _key: 'asc' }] } };
    }
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// The search response

/** The parts of a search response this adapter reads (estypes.SearchResponse is structurally wider). */
export interface SearchResponseLike {
  timed_out?: boolean;
  hits: {
    total?: number | { value: number; relation?: string };
    hits: { _id?: string | null; _score?: number | null; _source?: StoredDoc }[];
  };
  aggregations?: Record<string, unknown>;
}

interface BucketLike {
  key: string | number | boolean;
  key_as_string?: string;
  doc_count: number;
}

/** What Elasticsearch keeps that is not part of a SearchDocument. */
export function toSearchDocument(source: StoredDoc): SearchDocument {
  const { deleted: _deleted, ...doc } = source;
  return doc;
}

function compareValues(a: FacetBucket, b: FacetBucket): number {
  return b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Buckets → {value, count}: booleans come back as 1/0 keys, their key_as_string is 'true'/'false'. */
export function facetBuckets(agg: unknown): FacetBucket[] {
  const buckets = (agg as { buckets?: BucketLike[] } | undefined)?.buckets;
  if (!Array.isArray(buckets)) return [];
  const out = buckets
    .filter((b) => b.doc_count > 0)
    .map((b) => ({ value: b.key_as_string ?? String(b.key), count: b.doc_count }));
  // Elasticsearch orders keys as bytes, the embedded engine as UTF-16: re-sort so ties list alike.
  return out.sort(compareValues).slice(0, FACET_SIZE);
}

export function searchResult(res: SearchResponseLike, facets: readonly FacetName[]): EngineResult {
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  const hits = res.hits.hits
    .filter((h) => h._source && h._source.deleted !== true)
    .map((h) => ({ doc: toSearchDocument(h._source!), score: h._score ?? 0 }));
  const out: EngineResult = { total, hits, facets: {} };
  for (const name of facets) out.facets[name] = facetBuckets(res.aggregations?.[name]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

export type VersionType = 'external' | 'external_gte';

export type BulkLine = estypes.BulkOperationContainer | SearchDocument | Tombstone;

/** One `index` action per document: the record version as an external version, so older writes lose (F4, F7). */
export function indexOperations(index: string, docs: readonly (SearchDocument | Tombstone)[], versionType: VersionType = 'external',
  versionOf: (d: SearchDocument | Tombstone) => number = (d) => d.version): BulkLine[] {
  const ops: BulkLine[] = [];
  for (const d of docs) {
    ops.push({ index: { _index: index, _id: d.id, version: versionOf(d), version_type: versionType } });
    ops.push(d);
  }
  return ops;
}

export function tombstone(id: string, version: number): Tombstone {
  return { id, version, deleted: true };
}

/** The parts of a bulk item this adapter reads. */
export interface BulkItemLike {
  status: number;
  error?: { type?: string; reason?: string | null } | null;
}

/** A missing alias under require_alias: the index is gone, which is a state of the engine, not of a document. */
export function isIndexMissing(item: BulkItemLike): boolean {
  return item.status === 404 && item.error?.type === 'index_not_found_exception';
}

/** One bulk item → its outcome (port ItemOutcome): conflicts are stale, overload retries, the rest dead-letters. */
export function itemOutcome(id: string, item: BulkItemLike | undefined): ItemOutcome {
  if (!item) return { id, status: 'retry', reason: 'no response for this document' };
  const { status } = item;
  const type = item.error?.type ?? '';
  const reason = type ? `${type}: ${item.error?.reason ?? ''}`.trim() : `status ${status}`;
  if (status >= 200 && status < 300 && !item.error) return { id, status: 'ok' };
  if (status === 409 && type === 'version_conflict_engine_exception') return { id, status: 'stale' };
  if (status === 429 || status >= 500 || type === 'es_rejected_execution_exception') return { id, status: 'retry', reason };
  return { id, status: 'failed', reason };
}

/** Bulk response items are keyed by action; this adapter only sends `index`. */
export function bulkItems(items: readonly Partial<Record<string, BulkItemLike>>[]): (BulkItemLike | undefined)[] {
  return items.map((it) => it.index ?? Object.values(it)[0]);
}
