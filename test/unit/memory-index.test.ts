// The embedded engine's memory index against the domain's rules, after the kind of history a live index has:
// replaced and deleted documents (dead slots), sets in both forms, and a compaction from the table.

import { expect } from 'chai';
import { openEmbeddedSearch } from '../../server/adapters/search/embedded/engine.ts';
import { MemoryIndex } from '../../server/adapters/search/embedded/memory-index.ts';
import {
  FACETS, FACET_NAMES, PHRASE_BOOST, SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchDocument, type SearchQuery, matchesCond, termMatchesValue,
} from '../../server/domain/search.ts';
import type { Cond } from '../../server/ports/store.ts';
import { mulberry32 } from '../../server/seed/random.ts';
import { corpus, doc, expectedIds, query } from '../contract/search.contract.ts';

/** The score the rules give: the best field of each term, summed, plus the name phrase boost. */
function expectedScore(d: SearchDocument, q: SearchQuery): number {
  const fields = q.fields ?? SEARCH_FIELD_NAMES;
  let score = 0;
  for (const term of q.terms) {
    let best = 0;
    for (const f of fields) {
      const v = d[f];
      if ((Array.isArray(v) ? v : [v]).some((x) => termMatchesValue(x, term, SEARCH_FIELDS[f].kind))) best = Math.max(best, SEARCH_FIELDS[f].boost);
    }
    score += best;
  }
  if (q.terms.length && [...q.phrase].length >= 2) {
    if (d.nameCompact === q.phrase) score += PHRASE_BOOST.nameEquals;
    else if (d.nameCompact.includes(q.phrase)) score += PHRASE_BOOST.nameContains;
  }
  return score;
}

/** 600 documents, then a third of them rewritten (so texts, columns and tokens move) and a tenth deleted. */
function history(): { index: MemoryIndex; live: Map<string, SearchDocument> } {
  const rnd = mulberry32(9);
  const index = new MemoryIndex();
  const live = new Map<string, SearchDocument>();
  const first = corpus(600, 3);
  for (const d of first) {
    index.put(d);
    live.set(d.id, d);
  }
  index.seal();
  const rewrites = corpus(600, 11);
  for (const d of rewrites) {
    if (rnd() < 0.33) {
      index.put(d);
      live.set(d.id, d);
    } else if (rnd() < 0.1) {
      index.delete(d.id);
      live.delete(d.id);
    }
  }
  // Every bigram of the query present, but not as one run: only the phrase check tells these apart.
  for (const d of [doc('scattered-han', { name: '人口普,普查', items: ['统一社会', '会信用代码'] }), doc('scattered-grams', { namePinyin: 'renk kou' })]) {
    index.put(d);
    live.set(d.id, d);
  }
  return { index, live };
}

describe('embedded index: memory index after writes and deletes', () => {
  const { index, live } = history();
  const docs = [...live.values()];
  const filters: (Cond | undefined)[] = [
    undefined,
    { or: [{ path: 'status', eq: 'published' }, { path: 'agencyId', eq: 'ag-gaj' }] },
    { and: [{ path: 'agencyPath', eq: 'ag-sc' }, { path: 'shareType', in: ['有条件共享', '不予共享'] }] },
    { and: [{ path: 'classNode', prefix: '307' }, { path: 'open', eq: true }] },
    { path: 'id', in: ['r1', 'r2', 'r3', 'r500', 'nobody'] },
    { or: [] },
  ];
  const texts = ['人口', '登记', '人口普查', '统一社会信用代码', '身份证号', '税', 'renkou', 'rkjc', '307001/0001', 'gdp', '企业 信息', '摘要', ''];

  it('holds exactly the live documents', () => {
    expect(index.size).to.equal(live.size);
    expect(index.deadSlots).to.be.above(100);
  });

  for (const text of texts) {
    it(`"${text}": the rules' hits, totals, scores and facet counts under every filter`, () => {
      for (const filter of filters) {
        const q = query(text, { filter, facets: FACET_NAMES, limit: 1000 });
        const r = index.query(q);
        const want = expectedIds(docs, q);
        const label = `${text} / ${JSON.stringify(filter)}`;
        expect(r.hits.map((h) => h.id).sort(), label).to.deep.equal(want);
        expect(r.total, label).to.equal(want.length);
        for (const h of r.hits) expect(h.score, `${label} score of ${h.id}`).to.be.closeTo(expectedScore(live.get(h.id)!, q), 1e-4);
        for (const name of FACET_NAMES) {
          const counts = new Map<string, number>();
          for (const id of want) {
            const v = String(live.get(id)![FACETS[name]]);
            counts.set(v, (counts.get(v) ?? 0) + 1);
          }
          expect(new Map((r.facets[name] ?? []).map((b) => [b.value, b.count])), `${label} facet ${name}`).to.deep.equal(counts);
        }
      }
    });
  }

  it('ranks by score, then the newest, then the id, on every page', () => {
    const q = query('人口', { limit: 1000 });
    const all = index.query(q).hits;
    const key = (id: string) => [-expectedScore(live.get(id)!, q), -Date.parse(live.get(id)!.updatedAt), id] as const;
    const sorted = [...all].sort((a, b) => {
      const x = key(a.id);
      const y = key(b.id);
      return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : 1);
    });
    expect(all.map((h) => h.id)).to.deep.equal(sorted.map((h) => h.id));
    const paged = [0, 1, 2].flatMap((p) => index.query({ ...q, offset: p * 7, limit: 7 }).hits.map((h) => h.id));
    expect(paged).to.deep.equal(all.slice(0, 21).map((h) => h.id));
  });

  it('no filter match means no hits, not every hit', () => {
    expect(index.query(query('人口', { filter: { path: 'status', eq: 'withdrawn' } })).total).to.equal(0);
    expect(index.query(query('', { filter: { path: 'agencyId', eq: 'ag-nobody' } })).total).to.equal(0);
  });
});

describe('embedded engine: compaction of dead slots', () => {
  it('rebuilds the memory index from its table once dead slots pile up, and answers the same', async () => {
    const engine = openEmbeddedSearch({ path: ':memory:', compactAfterDeadSlots: 20 });
    await engine.open();
    async function* from(xs: SearchDocument[]) {
      yield* xs;
    }
    await engine.rebuild(from(corpus(30)));
    const before = (await engine.query(query('人口', { limit: 1000 }))).hits.map((h) => h.doc.id).sort();
    // Rewriting every document twice leaves 60 dead slots against 30 live: past the threshold.
    for (const v of [2, 3]) await engine.upsert(corpus(30).map((d) => ({ ...d, version: v })));
    await engine.upsert([doc('fresh', { version: 1, name: '人口新登记' })]);
    const stats = engine.memoryStats();
    expect(stats.live).to.equal(31);
    expect(stats.dead).to.be.below(31);
    const after = (await engine.query(query('人口', { limit: 1000 }))).hits.map((h) => h.doc.id).sort();
    expect(after).to.deep.equal([...before, 'fresh'].sort());
    expect((await engine.query(query('人口', { limit: 1000 }))).hits.every((h) => h.doc.version >= 1)).to.equal(true);
    await engine.close();
  });
});

// matchesCond is the filter reference the contract's expectedIds uses; keep the import honest.
void matchesCond;
