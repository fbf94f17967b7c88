// The search model both engines implement: the document a catalog entry becomes, the query, the result.
// Engines translate it; they never interpret user syntax (B5): the text is reduced to letter/digit runs first, so
// field syntax, wildcards, regexes and brackets are just punctuation that separates words.

import type { Cond, Scalar } from '../ports/store.ts';
import type { SynonymMap } from './synonyms.ts';
import { type FieldKind, fold, phraseMatches, phraseText, runs } from './text.ts';
import type { ResourceStatus } from './vocab.ts';

/** A catalog entry as the index holds it: only fields every viewer of the entry may see (B8 by construction). */
export interface SearchDocument {
  id: string;
  version: number;
  code: string;
  name: string;
  abstract: string;
  /** Data item names (信息项名称). */
  items: string[];
  keywords: string[];
  agencyId: string;
  agencyName: string;
  /** The provider agency and its ancestors, root first: filtering by an agency includes its sub-agencies. */
  agencyPath: string[];
  /** Full name and short name: what users type to mean the provider. */
  agencyText: string[];
  classNode: string;
  /** The second-level classification node (项), the classification facet. */
  classItem: string;
  shareType: string;
  formatCategory: string;
  updateCycle: string;
  /** '' when the entry belongs to no base database. */
  baseDatabase: string;
  open: boolean;
  status: ResourceStatus;
  updatedAt: string;
  /** Vocabulary labels (share type, cycle, format, base database) as searchable text: 部分共享 finds 有条件共享 entries. */
  labels: string[];
  /** Full pinyin and initials of the name ("renkoujichuxinxiku rkjcxxk"), and of the agency names. */
  namePinyin: string;
  agencyPinyin: string;
  /** Pinyin of the name then the name: sorting by name is pinyin order in both engines. */
  nameSort: string;
  /** The folded name, runs concatenated: an exact-name query (its runs concatenated) equals it. */
  nameCompact: string;
}

/** Searchable fields, their kind and weight: name over data items over abstract over agency (issue 3). */
export const SEARCH_FIELDS = {
  name: { kind: 'text', boost: 10 },
  code: { kind: 'grams', boost: 8 },
  items: { kind: 'text', boost: 6 },
  keywords: { kind: 'text', boost: 5 },
  namePinyin: { kind: 'grams', boost: 4 },
  abstract: { kind: 'text', boost: 3 },
  agencyText: { kind: 'text', boost: 2 },
  agencyPinyin: { kind: 'grams', boost: 1 },
  labels: { kind: 'text', boost: 1 },
} as const satisfies Record<string, { kind: FieldKind; boost: number }>;
export type SearchField = keyof typeof SEARCH_FIELDS;
export const SEARCH_FIELD_NAMES = Object.keys(SEARCH_FIELDS) as SearchField[];

/** Extra weight when the whole query occurs in the name, and more when it is the name. */
export const PHRASE_BOOST = { nameContains: 20, nameEquals: 40 } as const;

/** Facets: the query parameter name → the document field counted. */
export const FACETS = {
  agency: 'agencyId', class: 'classItem', shareType: 'shareType', format: 'formatCategory', updateCycle: 'updateCycle',
  baseDatabase: 'baseDatabase', open: 'open', status: 'status',
} as const;
export type FacetName = keyof typeof FACETS;
export const FACET_NAMES = Object.keys(FACETS) as FacetName[];

/** Document paths a filter may use. `agencyPath` matches when any element matches; `classNode` also by prefix. */
export const FILTER_PATHS = ['status', 'agencyId', 'agencyPath', 'classNode', 'classItem', 'shareType', 'formatCategory',
  'updateCycle', 'baseDatabase', 'open', 'id'] as const;
export type FilterPath = (typeof FILTER_PATHS)[number];

export const SORTS = ['relevance', 'name', 'updated'] as const;
export type SearchSort = (typeof SORTS)[number];

/** Paging stops here: deep pages are refused rather than made expensive (B6); refine the query instead. */
export const MAX_WINDOW = 1000;
export const MAX_PAGE_SIZE = 50;
export const MAX_TERMS = 10;
export const MAX_TERM_CHARS = 32;
export const MAX_QUERY_CHARS = 200;

/** What users are told when search cannot answer (architecture.md rule 4: 503 with a clear message, never empty). */
export const SEARCH_DOWN = { zh: '检索服务暂不可用,目录登记不受影响,请稍后重试', en: 'search is unavailable; catalog changes are still saved; try again shortly', retryAfterSeconds: 5 };
export const INDEX_LOADING = { zh: '检索索引正在加载,请稍后重试', en: 'the search index is loading; try again shortly', retryAfterSeconds: 2 };
export const INDEX_REBUILDING = { zh: '检索索引正在重建,请稍后重试', en: 'the search index is being rebuilt; try again shortly', retryAfterSeconds: 10 };
export const SEARCH_TIMEOUT = { zh: '检索超时,请缩小范围或稍后重试', en: 'search took too long; narrow the query or try again shortly', retryAfterSeconds: 2 };

export interface SearchQuery {
  /** Every term must match in some field; a term matches when any of its alternatives (synonyms) does. */
  terms: string[][];
  /** The folded query, runs concatenated, for the phrase boost on the name. */
  phrase: string;
  /** Restricts the text match to these fields (data-item search, suggestions); all fields when absent. */
  fields?: readonly SearchField[];
  /** Visibility and the user's filters, over FILTER_PATHS. */
  filter?: Cond;
  facets: readonly FacetName[];
  sort: SearchSort;
  offset: number;
  limit: number;
}

export interface FacetBucket {
  value: string;
  count: number;
}

export interface EngineHit {
  doc: SearchDocument;
  score: number;
}

export interface EngineResult {
  total: number;
  hits: EngineHit[];
  facets: Partial<Record<FacetName, FacetBucket[]>>;
}

/** A synonym map inverted: every term → all terms of its line. */
export function synonymGroups(map: SynonymMap): ReadonlyMap<string, string[]> {
  const byCanonical = new Map<string, string[]>();
  for (const [term, canonical] of map) {
    const g = byCanonical.get(canonical) ?? [];
    g.push(term);
    byCanonical.set(canonical, g);
  }
  const out = new Map<string, string[]>();
  for (const [term, canonical] of map) out.set(term, byCanonical.get(canonical)!);
  return out;
}

/**
 * Reads the user's text into terms. Only letter/digit runs survive, so nothing the user types reaches an engine
 * as syntax; at most MAX_TERMS terms of MAX_TERM_CHARS characters each, so the work is bounded whatever is sent.
 * A term that is a synonym (身份证号, 发改委, 部分共享) also matches the other terms of its line.
 */
export function parseText(text: string, groups: ReadonlyMap<string, string[]>): { terms: string[][]; phrase: string } {
  const found = runs(fold(text.slice(0, MAX_QUERY_CHARS))).map((r) => [...r].slice(0, MAX_TERM_CHARS).join(''));
  const seen = new Set<string>();
  const terms: string[][] = [];
  for (const run of found) {
    if (seen.has(run)) continue;
    seen.add(run);
    const alternatives = [run];
    for (const alt of groups.get(run) ?? []) {
      // A synonym with punctuation or spaces would be several phrases; the file has none, and they are skipped.
      const altRuns = runs(alt);
      if (altRuns.length === 1 && !alternatives.includes(altRuns[0])) alternatives.push(altRuns[0]);
    }
    terms.push(alternatives);
    if (terms.length === MAX_TERMS) break;
  }
  return { terms, phrase: compactText(found.join(' ')) };
}

/** The store's visibility condition (domain/visibility) in document paths, so the same rule filters searches. */
const STORE_TO_DOC: Record<string, FilterPath> = {
  status: 'status', 'openness.isOpen': 'open', 'provider.agencyId': 'agencyId', classNode: 'classNode',
  'sharing.type': 'shareType', 'format.category': 'formatCategory', updateCycle: 'updateCycle', baseDatabase: 'baseDatabase',
};

export function toSearchCond(c: Cond): Cond {
  if ('and' in c) return { and: c.and.map(toSearchCond) };
  if ('or' in c) return { or: c.or.map(toSearchCond) };
  const path = STORE_TO_DOC[c.path];
  if (!path) throw new Error(`no search path for store path ${c.path}`);
  return { ...c, path };
}

/** Whether a document satisfies a condition: the reference semantics every engine's filter must agree with. */
export function matchesCond(doc: SearchDocument, c: Cond | undefined): boolean {
  if (!c) return true;
  if ('and' in c) return c.and.every((x) => matchesCond(doc, x));
  if ('or' in c) return c.or.some((x) => matchesCond(doc, x));
  const raw = (doc as unknown as Record<string, unknown>)[c.path];
  const values = (Array.isArray(raw) ? raw : [raw]) as Scalar[];
  if ('eq' in c) return values.some((v) => v === c.eq);
  if ('in' in c) return values.some((v) => c.in.includes(v));
  return values.some((v) => typeof v === 'string' && v.startsWith(c.prefix));
}

/** Whether one field value matches one term (any alternative): the same rule the engines index for. */
export function termMatchesValue(value: string, term: string[], kind: FieldKind): boolean {
  const phrase = phraseText(fold(value));
  return term.some((alt) => phraseMatches(phrase, alt, kind));
}

// ---------------------------------------------------------------------------------------------------------------
// Highlighting works on the raw text (performance.md: never on bigram-spaced text) and is the same for every
// engine, so a result looks the same whichever engine found it.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** What `nameCompact` holds, and what an exact-name query is compared with. */
export function compactText(text: string): string {
  return runs(fold(text)).join('');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Ranges of `raw` (code-unit offsets) where any alternative of any term occurs, case- and width-folded. */
function matchRanges(raw: string, terms: string[][]): [number, number][] {
  // Fold per code point so every folded offset maps back to a raw offset.
  let folded = '';
  const toRaw: number[] = [];
  for (let i = 0; i < raw.length;) {
    const cp = raw.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) toRaw.push(i);
    folded += f;
    i += ch.length;
  }
  toRaw.push(raw.length);
  const ranges: [number, number][] = [];
  for (const term of terms) {
    for (const alt of term) {
      for (let at = folded.indexOf(alt); at !== -1; at = folded.indexOf(alt, at + alt.length)) {
        ranges.push([toRaw[at], toRaw[at + alt.length] ?? raw.length]);
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** HTML-escaped text with <mark> around matches; a window of `window` characters around the first match if set. */
export function highlight(raw: string, terms: string[][], window?: number): string {
  const ranges = matchRanges(raw, terms);
  let start = 0;
  let end = raw.length;
  if (window && raw.length > window) {
    const first = ranges[0]?.[0] ?? 0;
    start = Math.max(0, Math.min(first - Math.floor(window / 4), raw.length - window));
    end = Math.min(raw.length, start + window);
  }
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [a, b] of ranges) {
    if (b <= start || a >= end) continue;
    const s = Math.max(a, start);
    const e = Math.min(b, end);
    out += escapeHtml(raw.slice(at, s)) + '<mark>' + escapeHtml(raw.slice(s, e)) + '</mark>';
    at = e;
  }
  out += escapeHtml(raw.slice(at, end)) + (end < raw.length ? '…' : '');
  return out;
}

/** Data items that match the query, highlighted: "who holds 统一社会信用代码?" is answered by these. */
export function matchedItems(doc: SearchDocument, terms: string[][], max = 20): { name: string; html: string }[] {
  if (!terms.length) return [];
  const out: { name: string; html: string }[] = [];
  for (const item of doc.items) {
    if (terms.some((t) => termMatchesValue(item, t, 'text'))) out.push({ name: item, html: highlight(item, terms) });
    if (out.length === max) break;
  }
  return out;
}
