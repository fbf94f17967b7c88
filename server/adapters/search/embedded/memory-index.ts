// The embedded engine's in-memory index: an inverted index of the token rules in domain/text.ts, plus one typed
// column per filter/facet field, so filtering and facet counting are array lookups over the matched set only
// (performance.md: counting facets was what made SQL-based options miss the 20 ms target).
//
// Documents live in slots. A replaced or deleted document's slot is only marked dead; postings stay append-only
// and sorted, and the whole index is rebuilt from live documents (`compacted`) when dead slots pile up.

import type { Cond } from '../../../ports/store.ts';
import {
  type EngineHit, type EngineResult, FACETS, type FacetBucket, type FacetName, PHRASE_BOOST, SEARCH_FIELDS,
  SEARCH_FIELD_NAMES, type SearchDocument, type SearchField, type SearchQuery,
} from '../../../domain/search.ts';
import { type FieldKind, fold, indexTokens, needsPhraseCheck, phraseMatches, phraseText, queryTokens } from '../../../domain/text.ts';

const COLUMN_FIELDS = ['status', 'agencyId', 'classNode', 'classItem', 'shareType', 'formatCategory', 'updateCycle', 'baseDatabase', 'open', 'id'] as const;
type ColumnField = (typeof COLUMN_FIELDS)[number];

/** A growable sorted list of slots. */
class Posting {
  ids = new Int32Array(4);
  n = 0;
  push(slot: number): void {
    if (this.n === this.ids.length) {
      // Long lists grow by an eighth: after a bulk load is sealed, the first writes must not double every list
      // they touch (the index would outgrow what sealing saved).
      const len = this.ids.length;
      const next = new Int32Array(len < 1024 ? len * 2 : len + (len >> 3));
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[this.n++] = slot;
  }
  view(): Int32Array {
    return this.ids.subarray(0, this.n);
  }
  /** Gives back the growth slack (up to half of each list) once a bulk load is done. */
  trim(): void {
    const keep = Math.max(this.n + (this.n >> 4), 4);
    if (this.ids.length > keep) this.ids = this.ids.slice(0, keep);
  }
}

/** Dictionary-encoded column: value id per slot. */
class Column {
  readonly values: string[] = [];
  readonly ids = new Map<string, number>();
  data = new Int32Array(1024);
  idOf(v: string): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
  set(slot: number, v: string): void {
    if (slot >= this.data.length) {
      const next = new Int32Array(Math.max(slot + 1, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[slot] = this.idOf(v);
  }
}

/** Column keys carry the type, so a filter is as strict as matchesCond: status eq 5 never matches '5'. */
function scalarKey(v: unknown): string {
  return `${typeof v}:${String(v)}`;
}

const FIELD_INDEX = new Map<SearchField, number>(SEARCH_FIELD_NAMES.map((f, i) => [f, i]));

function fieldValues(doc: SearchDocument, f: SearchField): string {
  const v = doc[f];
  return Array.isArray(v) ? v.join('\n') : v;
}

export class MemoryIndex {
  private readonly docs: (SearchDocument | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly postings = new Map<string, Posting>();
  /** Per field, per slot: the folded runs a phrase is checked against. */
  private readonly phrases: string[][] = SEARCH_FIELD_NAMES.map(() => []);
  private readonly columns = new Map<ColumnField, Column>(COLUMN_FIELDS.map((f) => [f, new Column()]));
  private updated = new Float64Array(1024);
  /** Each document's agency path, dictionary-encoded: a sub-agency filter is decided once per distinct path. */
  private readonly paths = new Column();
  // Scratch space for queries, grown with the slots; `stamp` makes clearing unnecessary.
  private mark = new Int32Array(1024);
  private best = new Float32Array(1024);
  private score = new Float32Array(1024);
  private stamp = 0;

  get size(): number {
    return this.slotOf.size;
  }

  get deadSlots(): number {
    return this.docs.length - this.slotOf.size;
  }

  get(id: string): SearchDocument | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.docs[slot];
  }

  *all(): Iterable<SearchDocument> {
    for (const d of this.docs) if (d) yield d;
  }

  /** Adds or replaces a document (no version logic here: the engine decides what may be written). */
  put(doc: SearchDocument): void {
    this.delete(doc.id);
    const slot = this.docs.length;
    this.docs.push(doc);
    this.slotOf.set(doc.id, slot);
    this.grow(slot + 1);
    const seen = new Set<string>();
    for (const f of SEARCH_FIELD_NAMES) {
      const fi = FIELD_INDEX.get(f)!;
      const folded = fold(fieldValues(doc, f));
      this.phrases[fi][slot] = phraseText(folded);
      seen.clear();
      for (const tok of indexTokens(folded, SEARCH_FIELDS[f].kind)) {
        const key = fi + tok;
        if (seen.has(key)) continue;
        seen.add(key);
        let p = this.postings.get(key);
        if (!p) this.postings.set(key, (p = new Posting()));
        p.push(slot);
      }
    }
    for (const [f, col] of this.columns) col.set(slot, scalarKey(doc[f]));
    this.paths.set(slot, doc.agencyPath.join('\u0001'));
    this.updated[slot] = Date.parse(doc.updatedAt) || 0;
  }

  delete(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.docs[slot] = undefined;
    for (const p of this.phrases) p[slot] = '';
    this.slotOf.delete(id);
    return true;
  }

  /** After a bulk load: postings are trimmed to their length (doubling growth leaves up to half unused). */
  seal(): void {
    for (const p of this.postings.values()) p.trim();
  }

  /** A fresh index of the live documents, when dead slots make up a large share. */
  compacted(): MemoryIndex {
    const next = new MemoryIndex();
    for (const d of this.all()) next.put(d);
    next.seal();
    return next;
  }

  private grow(n: number): void {
    if (n <= this.mark.length) return;
    const size = Math.max(n, this.mark.length * 2);
    const grown = <A extends Int32Array | Float32Array | Float64Array>(a: A, C: new (n: number) => A): A => {
      const b = new C(size);
      b.set(a);
      return b;
    };
    this.mark = grown(this.mark, Int32Array);
    this.best = grown(this.best, Float32Array);
    this.score = grown(this.score, Float32Array);
    this.updated = grown(this.updated, Float64Array);
  }

  private nextStamp(): number {
    if (this.stamp >= 0x7ffffff0) {
      this.mark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** Slots where one alternative of a term matches in one field, in ascending order. */
  private matchField(alt: string, f: SearchField, want: (slot: number) => boolean, visit: (slot: number) => void): void {
    const kind: FieldKind = SEARCH_FIELDS[f].kind;
    const tokens = queryTokens(alt, kind);
    if (!tokens.length) return;
    const fi = FIELD_INDEX.get(f)!;
    const lists: Int32Array[] = [];
    for (const t of new Set(tokens)) {
      const p = this.postings.get(fi + t);
      if (!p) return;
      lists.push(p.view());
    }
    lists.sort((a, b) => a.length - b.length);
    const check = needsPhraseCheck(alt, kind);
    const phrases = this.phrases[fi];
    const driver = lists[0];
    const cursors = new Int32Array(lists.length);
    outer: for (let i = 0; i < driver.length; i++) {
      const slot = driver[i];
      // Cheap checks first: a slot that is filtered out or already matched skips the intersection and the phrase check.
      if (!this.docs[slot] || !want(slot)) continue;
      for (let l = 1; l < lists.length; l++) {
        const list = lists[l];
        // Galloping would help very long lists; a moving binary search is enough at catalog sizes.
        let lo = cursors[l];
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (list[mid] < slot) lo = mid + 1;
          else hi = mid;
        }
        cursors[l] = lo;
        if (lo === list.length) break outer;
        if (list[lo] !== slot) continue outer;
      }
      if (check && !phraseMatches(phrases[slot], alt, kind)) continue;
      visit(slot);
    }
  }

  /**
   * The slots matching every term (any alternative, any allowed field) and the filter, with their scores in
   * `this.score`. Fields are tried in falling boost order, so the first field a slot matches in is its best for
   * that term and the slot is not looked at again for it.
   */
  private matchTerms(terms: string[][], fields: readonly SearchField[], pass?: (slot: number) => boolean): number[] {
    const ordered = [...fields].sort((a, b) => SEARCH_FIELDS[b].boost - SEARCH_FIELDS[a].boost);
    let candidates: number[] | undefined;
    let prev = 0;
    for (const term of terms) {
      const cur = this.nextStamp();
      const { mark, best } = this;
      const first = candidates === undefined;
      const found: number[] = [];
      const p = prev;
      const want = first ? (pass ? (s: number) => mark[s] !== cur && pass(s) : (s: number) => mark[s] !== cur) : (s: number) => mark[s] === p;
      for (const f of ordered) {
        const boost = SEARCH_FIELDS[f].boost;
        for (const alt of term) {
          this.matchField(alt, f, want, (slot) => {
            mark[slot] = cur;
            best[slot] = boost;
            found.push(slot);
          });
        }
      }
      if (first) {
        for (const s of found) this.score[s] = best[s];
      } else {
        for (const s of found) this.score[s] += best[s];
      }
      candidates = found;
      prev = cur;
      if (!found.length) break;
    }
    return candidates ?? [];
  }

  /** A condition compiled to a slot predicate over the columns. */
  private compile(c: Cond): (slot: number) => boolean {
    if ('and' in c) {
      const parts = c.and.map((x) => this.compile(x));
      return (s) => parts.every((p) => p(s));
    }
    if ('or' in c) {
      const parts = c.or.map((x) => this.compile(x));
      return (s) => parts.some((p) => p(s));
    }
    if (c.path === 'agencyPath') {
      const wanted = 'eq' in c ? [c.eq] : 'in' in c ? c.in : undefined;
      if (!wanted) throw new Error('agencyPath supports eq and in');
      const col = this.paths;
      const allowed = new Uint8Array(col.values.length);
      col.values.forEach((joined, id) => {
        if (joined.split('\u0001').some((a) => wanted.includes(a))) allowed[id] = 1;
      });
      const data = col.data;
      return (s) => allowed[data[s]] === 1;
    }
    const col = this.columns.get(c.path as ColumnField);
    if (!col) throw new Error(`not a filter field: ${c.path}`);
    const allowed = new Uint8Array(col.values.length);
    if ('eq' in c) {
      const id = col.ids.get(scalarKey(c.eq));
      if (id !== undefined) allowed[id] = 1;
    } else if ('in' in c) {
      for (const v of c.in) {
        const id = col.ids.get(scalarKey(v));
        if (id !== undefined) allowed[id] = 1;
      }
    } else {
      const key = scalarKey(c.prefix);
      col.values.forEach((v, id) => {
        if (typeof c.prefix === 'string' && v.startsWith(key)) allowed[id] = 1;
      });
    }
    const data = col.data;
    return (s) => allowed[data[s]] === 1;
  }

  query(q: SearchQuery): EngineResult {
    const fields = q.fields ?? SEARCH_FIELD_NAMES;
    // The filter (visibility and the user's filters) is applied while matching, before any phrase is checked.
    const pass = q.filter ? this.compile(q.filter) : undefined;
    let hits: number[];
    if (q.terms.length) {
      hits = this.matchTerms(q.terms, fields, pass);
    } else {
      hits = [];
      for (let s = 0; s < this.docs.length; s++) {
        if (this.docs[s] && (!pass || pass(s))) {
          hits.push(s);
          this.score[s] = 0;
        }
      }
    }
    const facets: Partial<Record<FacetName, FacetBucket[]>> = {};
    for (const name of q.facets) facets[name] = this.count(FACETS[name] as ColumnField, hits);
    if (q.terms.length && q.phrase.length >= 2) {
      for (const s of hits) {
        const n = this.docs[s]!.nameCompact;
        if (n === q.phrase) this.score[s] += PHRASE_BOOST.nameEquals;
        else if (n.includes(q.phrase)) this.score[s] += PHRASE_BOOST.nameContains;
      }
    }
    const page = this.top(hits, q);
    return {
      total: hits.length,
      hits: page.map((s): EngineHit => ({ doc: this.docs[s]!, score: this.score[s] })),
      facets,
    };
  }

  private count(field: ColumnField, hits: number[]): FacetBucket[] {
    const col = this.columns.get(field)!;
    const counts = new Int32Array(col.values.length);
    const data = col.data;
    for (const s of hits) counts[data[s]]++;
    const out: FacetBucket[] = [];
    counts.forEach((n, id) => {
      if (n > 0) out.push({ value: col.values[id].slice(col.values[id].indexOf(':') + 1), count: n });
    });
    out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return out.slice(0, 100);
  }

  /** The requested page in order, selecting only the top offset+limit instead of sorting every hit. */
  private top(hits: number[], q: SearchQuery): number[] {
    const k = q.offset + q.limit;
    if (k <= 0 || q.offset >= hits.length) return [];
    const { score, updated, docs } = this;
    // Ties end on the id, as in Elasticsearch, so both engines page in the same order.
    const byId = (a: number, b: number) => docs[a]!.id < docs[b]!.id;
    const before: (a: number, b: number) => boolean =
      q.sort === 'name'
        ? (a, b) => {
          const x = docs[a]!.nameSort;
          const y = docs[b]!.nameSort;
          return x < y || (x === y && byId(a, b));
        }
        : q.sort === 'updated'
          ? (a, b) => updated[a] > updated[b] || (updated[a] === updated[b] && byId(a, b))
          : (a, b) => score[a] > score[b] || (score[a] === score[b] && (updated[a] > updated[b] || (updated[a] === updated[b] && byId(a, b))));
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
    for (const s of hits) {
      if (heap.length < k) {
        heap.push(s);
        up(heap.length - 1);
      } else if (before(s, heap[0])) {
        heap[0] = s;
        down(0);
      }
    }
    heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    return heap.slice(q.offset, k);
  }
}
