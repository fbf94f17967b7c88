// The embedded engine's in-memory index: postings of the token rules in domain/text.ts per field, one slot set per
// value of every filter column, and per-slot typed columns for facet counts and sorting (performance.md: counting
// facets was what made SQL-based options miss the 20 ms target).
//
// A query is bitset algebra over slots (slot-set.ts): the filter (visibility and the user's filters) becomes a
// bitset first; each term narrows it field by field; only the slots left are scored, counted and ranked. Documents
// themselves are not kept here: a query answers slot ids and scores, and the engine reads the page's documents
// from its table. What stays in memory per document is what matching, facets and sorting need: the tokens (in the
// postings), the text a multi-character phrase is verified against, and a few columns.
//
// Slots are never reused: a replaced or deleted document's slot is only marked dead (`live`), and the engine
// builds a fresh index from its table when dead slots pile up.

import type { Cond } from '../../../ports/store.ts';
import {
  FACETS, FACET_NAMES, type FacetBucket, type FacetName, PHRASE_BOOST, SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchDocument, type SearchField,
  type SearchQuery,
} from '../../../domain/search.ts';
import { type FieldKind, fold, indexTokens, needsPhraseCheck, phrasePattern, phraseText, queryTokens } from '../../../domain/text.ts';
import { BitPool, SlotSet, collectBits, grown, hasBit, setBit, words } from './slot-set.ts';

const COLUMN_FIELDS = ['status', 'agencyId', 'classNode', 'classItem', 'shareType', 'formatCategory', 'updateCycle', 'baseDatabase', 'open'] as const;
type ColumnField = (typeof COLUMN_FIELDS)[number];

/** A page of a query over the index: slot ids and scores in order; the engine fetches the documents. */
export interface IndexHit {
  id: string;
  score: number;
}

export interface IndexResult {
  total: number;
  hits: IndexHit[];
  facets: Partial<Record<FacetName, FacetBucket[]>>;
}

/** Column keys carry the type, so a filter is as strict as matchesCond: status eq 5 never matches '5'. */
function scalarKey(v: unknown): string {
  return `${typeof v}:${String(v)}`;
}

/** Dictionary-encoded column: the distinct values, and the slots holding each. */
class Column {
  readonly values: string[] = [];
  readonly ids = new Map<string, number>();
  readonly sets: SlotSet[] = [];

  /** Records the slot's value and returns the value's id. */
  set(slot: number, v: string, slots: number): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
      this.sets.push(new SlotSet());
    }
    this.sets[id].add(slot, slots);
    return id;
  }

  /** out |= slots whose value passes `want`. */
  orWhere(out: Uint32Array, want: (value: string) => boolean): void {
    for (let id = 0; id < this.values.length; id++) if (want(this.values[id])) this.sets[id].orInto(out);
  }
}

const FIELD_COUNT = SEARCH_FIELD_NAMES.length;
const FACET_COLUMNS = FACET_NAMES.map((n) => FACETS[n] as ColumnField);
const FACET_COUNT = FACET_COLUMNS.length;
const FACET_POSITION = new Map<ColumnField, number>(FACET_COLUMNS.map((f, i) => [f, i]));
const FIELD_INDEX = new Map<SearchField, number>(SEARCH_FIELD_NAMES.map((f, i) => [f, i]));
const FIELD_KIND: FieldKind[] = SEARCH_FIELD_NAMES.map((f) => SEARCH_FIELDS[f].kind);
const FIELD_BOOST: number[] = SEARCH_FIELD_NAMES.map((f) => SEARCH_FIELDS[f].boost);

function fieldValue(doc: SearchDocument, f: SearchField): string {
  const v = doc[f];
  return Array.isArray(v) ? v.join('\n') : v;
}

/** Code-point bigrams: the name-phrase boost finds its candidates through them. */
function bigrams(s: string): string[] {
  const chars = [...s];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** One term's matches in one field: scoring takes the first field (highest boost) that holds the slot. */
interface FieldMatch {
  boost: number;
  bits: Uint32Array;
}

export class MemoryIndex {
  /** Slots handed out so far (live and dead). */
  private slots = 0;
  private ids: string[] = [];
  private readonly slotOf = new Map<string, number>();
  private live = new Uint32Array(32);
  /** Per field: token → slots. */
  private readonly postings: Map<string, SlotSet>[] = SEARCH_FIELD_NAMES.map(() => new Map());
  /** Bigrams of each name's compact form, for the exact/contained name boost. */
  private readonly nameGrams = new Map<string, SlotSet>();
  /**
   * Per slot: every field's phrase text (domain/text.ts phraseText) one after another, as one flat string (held as
   * nine concatenated strings it cost twice the memory and slowed the collector); `fieldAt` marks where each field
   * starts and the last one ends.
   */
  private readonly texts: string[] = [];
  private fieldAt = new Uint32Array(1024 * (FIELD_COUNT + 1));
  private nameSort: string[] = [];
  private nameCompact: string[] = [];
  private updated = new Float64Array(1024);
  private readonly columns = new Map<ColumnField, Column>(COLUMN_FIELDS.map((f) => [f, new Column()]));
  /** Each document's agency path, dictionary-encoded: a sub-agency filter is decided once per distinct path. */
  private readonly paths = new Column();
  /** Per slot, the value id of each facet column (FACET_NAMES order): counting reads one row per hit. */
  private facetRows = new Int32Array(1024 * FACET_COUNT);
  // Per-query scratch, grown with the slots.
  private score = new Float32Array(1024);
  private hitBuf = new Int32Array(1024);
  private readonly pool = new BitPool();

  get size(): number {
    return this.slotOf.size;
  }

  get deadSlots(): number {
    return this.slots - this.slotOf.size;
  }

  /** Adds or replaces a document (no version logic here: the engine decides what may be written). */
  put(doc: SearchDocument): void {
    this.delete(doc.id);
    const slot = this.slots++;
    this.grow(this.slots);
    const n = this.slots;
    this.ids[slot] = doc.id;
    this.slotOf.set(doc.id, slot);
    setBit(this.live, slot);
    const phrases: string[] = [];
    for (let fi = 0; fi < FIELD_COUNT; fi++) {
      const folded = fold(fieldValue(doc, SEARCH_FIELD_NAMES[fi]));
      phrases.push(phraseText(folded));
      const postings = this.postings[fi];
      // A token seen twice in one field adds the slot once (SlotSet.add ignores a repeat of its last slot).
      for (const tok of indexTokens(folded, FIELD_KIND[fi])) {
        let p = postings.get(tok);
        if (!p) postings.set(tok, (p = new SlotSet()));
        p.add(slot, n);
      }
    }
    const at = slot * (FIELD_COUNT + 1);
    let pos = 0;
    for (let fi = 0; fi < FIELD_COUNT; fi++) {
      this.fieldAt[at + fi] = pos;
      pos += phrases[fi].length;
    }
    this.fieldAt[at + FIELD_COUNT] = pos;
    this.texts[slot] = phrases.join('');
    for (const g of bigrams(doc.nameCompact)) {
      let p = this.nameGrams.get(g);
      if (!p) this.nameGrams.set(g, (p = new SlotSet()));
      p.add(slot, n);
    }
    for (const [f, col] of this.columns) {
      const id = col.set(slot, scalarKey(doc[f]), n);
      const c = FACET_POSITION.get(f);
      if (c !== undefined) this.facetRows[slot * FACET_COUNT + c] = id;
    }
    this.paths.set(slot, doc.agencyPath.join('\u0001'), n);
    this.nameSort[slot] = doc.nameSort;
    this.nameCompact[slot] = doc.nameCompact;
    this.updated[slot] = Date.parse(doc.updatedAt) || 0;
  }

  delete(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.live[slot >>> 5] &= ~(1 << (slot & 31));
    this.slotOf.delete(id);
    // The slot stays (postings point at it) but its text goes: it is most of what a document costs here.
    this.texts[slot] = '';
    this.nameSort[slot] = '';
    this.nameCompact[slot] = '';
    return true;
  }

  /** After a bulk load: every set takes its smaller form, without growth slack. */
  seal(): void {
    for (const m of this.postings) for (const p of m.values()) p.seal(this.slots);
    for (const p of this.nameGrams.values()) p.seal(this.slots);
    for (const col of [...this.columns.values(), this.paths]) for (const s of col.sets) s.seal(this.slots);
  }

  private grow(n: number): void {
    if (words(n) > this.live.length) this.live = grown(this.live, Math.max(words(n), this.live.length * 2));
    if (n <= this.score.length) return;
    const size = Math.max(n, this.score.length * 2);
    // Scratch needs no copy; the per-slot columns do.
    this.score = new Float32Array(size);
    this.hitBuf = new Int32Array(size);
    this.updated = grown(this.updated, size);
    this.fieldAt = grown(this.fieldAt, size * (FIELD_COUNT + 1));
    this.facetRows = grown(this.facetRows, size * FACET_COUNT);
  }

  private liveBits(): Uint32Array {
    const out = this.pool.take();
    out.set(this.live.subarray(0, out.length));
    return out;
  }

  /** A filter condition as a bitset of the slots that pass it (dead slots included; the caller masks them). */
  private filterBits(c: Cond): Uint32Array {
    if ('and' in c) {
      if (!c.and.length) return this.liveBits();
      const out = this.filterBits(c.and[0]);
      for (const part of c.and.slice(1)) {
        const b = this.filterBits(part);
        for (let w = 0; w < out.length; w++) out[w] &= b[w];
      }
      return out;
    }
    const out = this.pool.take();
    if ('or' in c) {
      for (const part of c.or) {
        const b = this.filterBits(part);
        for (let w = 0; w < out.length; w++) out[w] |= b[w];
      }
      return out;
    }
    if (c.path === 'id') {
      for (const v of 'eq' in c ? [c.eq] : 'in' in c ? c.in : []) {
        const slot = typeof v === 'string' ? this.slotOf.get(v) : undefined;
        if (slot !== undefined) setBit(out, slot);
      }
      return out;
    }
    if (c.path === 'agencyPath') {
      const wanted = 'eq' in c ? [c.eq] : 'in' in c ? c.in : undefined;
      if (!wanted) throw new Error('agencyPath supports eq and in');
      this.paths.orWhere(out, (joined) => joined.split('\u0001').some((a) => wanted.includes(a)));
      return out;
    }
    const col = this.columns.get(c.path as ColumnField);
    if (!col) throw new Error(`not a filter field: ${c.path}`);
    if ('eq' in c) {
      const key = scalarKey(c.eq);
      col.orWhere(out, (v) => v === key);
    } else if ('in' in c) {
      const keys = new Set(c.in.map(scalarKey));
      col.orWhere(out, (v) => keys.has(v));
    } else if (typeof c.prefix === 'string') {
      const key = scalarKey(c.prefix);
      col.orWhere(out, (v) => v.startsWith(key));
    }
    return out;
  }

  /** Slots in `mask` where `alt` matches in field `fi` (token sets intersected, the phrase verified where needed). */
  private matchAlt(alt: string, fi: number, mask: Uint32Array): Uint32Array | undefined {
    const kind = FIELD_KIND[fi];
    const tokens = queryTokens(alt, kind);
    if (!tokens.length) return undefined;
    const postings = this.postings[fi];
    const sets: SlotSet[] = [];
    for (const t of new Set(tokens)) {
      const p = postings.get(t);
      if (!p) return undefined;
      sets.push(p);
    }
    const out = this.pool.take();
    if (!SlotSet.intersect(sets, mask, out)) return undefined;
    if (needsPhraseCheck(alt, kind)) {
      const pattern = phrasePattern(alt, kind);
      const { texts, fieldAt } = this;
      let any = 0;
      for (let w = 0; w < out.length; w++) {
        let v = out[w];
        if (v === 0) continue;
        let keep = v;
        while (v !== 0) {
          const low = v & -v;
          v ^= low;
          const slot = (w << 5) + 31 - Math.clz32(low);
          const at = slot * (FIELD_COUNT + 1) + fi;
          const i = texts[slot].indexOf(pattern, fieldAt[at]);
          if (i < 0 || i + pattern.length > fieldAt[at + 1]) keep &= ~low;
        }
        out[w] = keep;
        any |= keep;
      }
      if (any === 0) return undefined;
    }
    return out;
  }

  query(q: SearchQuery): IndexResult {
    this.pool.reset(this.slots);
    try {
      return this.run(q);
    } finally {
      this.pool.trim();
    }
  }

  private run(q: SearchQuery): IndexResult {
    let candidates: Uint32Array;
    if (q.filter) {
      candidates = this.filterBits(q.filter);
      const { live } = this;
      for (let w = 0; w < candidates.length; w++) candidates[w] &= live[w];
    } else {
      candidates = this.liveBits();
    }
    // Fields in falling boost order: the first field that holds a slot is the term's score there.
    const fields = (q.fields ?? SEARCH_FIELD_NAMES).map((f) => FIELD_INDEX.get(f)!).sort((a, b) => FIELD_BOOST[b] - FIELD_BOOST[a]);
    const perTerm: FieldMatch[][] = [];
    for (const term of q.terms) {
      const matched: FieldMatch[] = [];
      const union = this.pool.take();
      // Slots not matched yet: one found in a field already scores there, so later fields and alternatives skip
      // it (and its phrase check).
      const todo = this.pool.take();
      todo.set(candidates);
      let left = true;
      for (let f = 0; left && f < fields.length; f++) {
        const fi = fields[f];
        let inField: Uint32Array | undefined;
        for (let a = 0; left && a < term.length; a++) {
          const m = this.matchAlt(term[a], fi, todo);
          if (!m) continue;
          let rest = 0;
          for (let w = 0; w < m.length; w++) {
            union[w] |= m[w];
            rest |= todo[w] &= ~m[w];
          }
          left = rest !== 0;
          if (!inField) inField = m;
          else for (let w = 0; w < m.length; w++) inField[w] |= m[w];
        }
        if (inField) matched.push({ boost: FIELD_BOOST[fi], bits: inField });
      }
      perTerm.push(matched);
      candidates = union;
      if (!matched.length) break;
    }
    const hits = this.hitBuf;
    const total = collectBits(candidates, hits);
    const { score } = this;
    for (let i = 0; i < total; i++) {
      const s = hits[i];
      let sum = 0;
      for (const matched of perTerm) {
        for (const m of matched) {
          if (hasBit(m.bits, s)) {
            sum += m.boost;
            break;
          }
        }
      }
      score[s] = sum;
    }
    if (q.terms.length && total) this.boostName(q.phrase, candidates);
    const facets = q.facets.length ? this.countFacets(q.facets, hits, total) : {};
    const page = this.top(hits, total, q);
    return { total, hits: page.map((s) => ({ id: this.ids[s], score: score[s] })), facets };
  }

  /** Adds the phrase boost to hits whose compact name contains the whole query (more when it is the name). */
  private boostName(phrase: string, hitBits: Uint32Array): void {
    const grams = bigrams(phrase);
    if (!grams.length) return;
    const sets: SlotSet[] = [];
    for (const g of new Set(grams)) {
      const p = this.nameGrams.get(g);
      if (!p) return;
      sets.push(p);
    }
    const cand = this.pool.take();
    if (!SlotSet.intersect(sets, hitBits, cand)) return;
    const { score, nameCompact } = this;
    // Two characters need no check: the bigram is the phrase.
    const verify = grams.length > 1;
    for (let w = 0; w < cand.length; w++) {
      let v = cand[w];
      while (v !== 0) {
        const low = v & -v;
        v ^= low;
        const s = (w << 5) + 31 - Math.clz32(low);
        const n = nameCompact[s];
        if (n === phrase) score[s] += PHRASE_BOOST.nameEquals;
        else if (!verify || n.includes(phrase)) score[s] += PHRASE_BOOST.nameContains;
      }
    }
  }

  /** Counts every facet column over the hits in one pass (one row per hit), and answers the requested ones. */
  private countFacets(names: readonly FacetName[], hits: Int32Array, total: number): Partial<Record<FacetName, FacetBucket[]>> {
    const cols = FACET_COLUMNS.map((f) => this.columns.get(f)!);
    const offsets = new Int32Array(FACET_COUNT + 1);
    for (let c = 0; c < FACET_COUNT; c++) offsets[c + 1] = offsets[c] + cols[c].values.length;
    const counts = new Int32Array(offsets[FACET_COUNT]);
    const rows = this.facetRows;
    if (FACET_COUNT === 8) {
      // Unrolled: a loop over the columns inside the loop over hits runs about 4x slower.
      const [o0, o1, o2, o3, o4, o5, o6, o7] = offsets;
      for (let i = 0; i < total; i++) {
        const b = hits[i] * 8;
        counts[o0 + rows[b]]++;
        counts[o1 + rows[b + 1]]++;
        counts[o2 + rows[b + 2]]++;
        counts[o3 + rows[b + 3]]++;
        counts[o4 + rows[b + 4]]++;
        counts[o5 + rows[b + 5]]++;
        counts[o6 + rows[b + 6]]++;
        counts[o7 + rows[b + 7]]++;
      }
    } else {
      for (let i = 0; i < total; i++) {
        const b = hits[i] * FACET_COUNT;
        for (let c = 0; c < FACET_COUNT; c++) counts[offsets[c] + rows[b + c]]++;
      }
    }
    const out: Partial<Record<FacetName, FacetBucket[]>> = {};
    for (const name of names) {
      const c = FACET_NAMES.indexOf(name);
      const { values } = cols[c];
      const buckets: FacetBucket[] = [];
      for (let id = 0; id < values.length; id++) {
        const n = counts[offsets[c] + id];
        if (n > 0) buckets.push({ value: values[id].slice(values[id].indexOf(':') + 1), count: n });
      }
      buckets.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      out[name] = buckets.slice(0, 100);
    }
    return out;
  }

  /** The requested page in order, selecting only the top offset+limit instead of sorting every hit. */
  private top(hits: Int32Array, total: number, q: SearchQuery): number[] {
    const k = q.offset + q.limit;
    if (k <= 0 || q.offset >= total) return [];
    const { score, updated, ids, nameSort } = this;
    // Ties end on the id, as in Elasticsearch, so both engines page in the same order.
    const before: (a: number, b: number) => boolean =
      q.sort === 'name'
        ? (a, b) => {
          const x = nameSort[a];
          const y = nameSort[b];
          return x < y || (x === y && ids[a] < ids[b]);
        }
        : q.sort === 'updated'
          ? (a, b) => updated[a] > updated[b] || (updated[a] === updated[b] && ids[a] < ids[b])
          : (a, b) => score[a] > score[b] || (score[a] === score[b] && (updated[a] > updated[b] || (updated[a] === updated[b] && ids[a] < ids[b])));
    // A bounded heap whose root is the worst of the best k so far.
    const heap: number[] = [];
    const worse = (i: number, j: number) => before(heap[j], heap[i]);
    const up = (i: number) => {
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    };
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(l, m)) m = l;
        if (r < heap.length && worse(r, m)) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    };
    // Newer slots hold newer writes, so walking down from the top meets the likely winners first and most later
    // hits are turned away by one comparison with the root (inlined for relevance, the common sort).
    const relevance = q.sort !== 'name' && q.sort !== 'updated';
    for (let i = total - 1; i >= 0; i--) {
      const s = hits[i];
      if (heap.length < k) {
        heap.push(s);
        up(heap.length - 1);
        continue;
      }
      const r = heap[0];
      if (relevance) {
        const d = score[s] - score[r];
        if (d < 0 || (d === 0 && (updated[s] < updated[r] || (updated[s] === updated[r] && ids[s] > ids[r])))) continue;
      } else if (!before(s, r)) continue;
      heap[0] = s;
      down(0);
    }
    heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    return heap.slice(q.offset, k);
  }
}
