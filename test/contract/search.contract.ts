// The SearchEngine contract: every engine runs this suite (architecture.md rule 6). Matching and filtering are
// checked against the reference semantics in server/domain (termMatchesValue, matchesCond) over a generated
// corpus, so "the same documents for the same query" is tested, not assumed.

import { expect } from 'chai';
import { UnavailableError } from '../../server/domain/errors.ts';
import {
  FACETS, FACET_NAMES, SEARCH_FIELDS, compactText, SEARCH_FIELD_NAMES, type SearchDocument, type SearchField, type SearchQuery,
  matchesCond, parseText, synonymGroups, termMatchesValue,
} from '../../server/domain/search.ts';
import { loadSynonyms } from '../../server/compose.ts';
import type { Cond } from '../../server/ports/store.ts';
import type { SearchEngine } from '../../server/ports/search.ts';
import { mulberry32 } from '../../server/seed/random.ts';

const groups = synonymGroups(loadSynonyms());

export function doc(id: string, over: Partial<SearchDocument> = {}): SearchDocument {
  const name = over.name ?? '示例信息';
  return {
    id, version: 1, code: '307001/00001', name: '示例信息', abstract: '示例摘要', items: ['示例项'], keywords: [],
    agencyId: 'ag-a', agencyName: '甲局', agencyPath: ['ag-city', 'ag-a'], agencyText: ['甲局'], classNode: '307001', classItem: '307',
    shareType: '无条件共享', formatCategory: '数据库', updateCycle: '每月', baseDatabase: '', open: true, status: 'published',
    updatedAt: '2026-01-01T00:00:00.000Z', labels: ['无条件共享', '每月', '数据库'], namePinyin: 'shilixinxi slxx', agencyPinyin: 'jiaju jj',
    nameSort: 'shi li xin xi 示例信息', ...over, nameCompact: compactText(name),
  };
}

export function query(text: string, over: Partial<SearchQuery> = {}): SearchQuery {
  const { terms, phrase } = parseText(text, groups);
  return { terms, phrase, facets: [], sort: 'relevance', offset: 0, limit: 50, ...over };
}

async function* from(docs: SearchDocument[]): AsyncIterable<SearchDocument> {
  yield* docs;
}

/** The reference: which documents a query must return, straight from the domain's rules. */
export function expectedIds(docs: SearchDocument[], q: SearchQuery): string[] {
  const fields = q.fields ?? SEARCH_FIELD_NAMES;
  return docs.filter((d) => matchesCond(d, q.filter) && q.terms.every((term) => fields.some((f: SearchField) => {
    const v = d[f];
    return (Array.isArray(v) ? v : [v]).some((x) => termMatchesValue(x, term, SEARCH_FIELDS[f].kind));
  }))).map((d) => d.id).sort();
}

const NAMES = ['人口基础信息', '企业登记注册信息', '流动人口居住登记', '纳税人税务登记信息', '人口普查汇总数据', '不动产登记信息', '社会保险参保信息', '学籍管理信息', 'GDP统计数据', '人口,普查说明'];
const ITEMS = ['公民身份号码', '身份证号', '统一社会信用代码', '姓名', '企业名称', '不动产单元号', '纳税人识别号', '出生日期', '户籍地址', 'GDP'];
const AGENCIES: [string, string, string[]][] = [['ag-gaj', '市公安局', ['ag-city', 'ag-gaj']], ['ag-gsj', '市工商局', ['ag-city', 'ag-gsj']], ['ag-d1', '上城区民政局', ['ag-city', 'ag-sc', 'ag-d1']]];
const STATUSES = ['published', 'published', 'published', 'draft', 'submitted'] as const;

export function corpus(n: number, seed = 7): SearchDocument[] {
  const rnd = mulberry32(seed);
  const pick = <T,>(a: readonly T[]) => a[Math.floor(rnd() * a.length)];
  return Array.from({ length: n }, (_, i) => {
    const [agencyId, agencyName, agencyPath] = pick(AGENCIES);
    const shareType = pick(['无条件共享', '有条件共享', '不予共享']);
    const name = `${pick(NAMES)}${i}`;
    return doc(`r${i}`, {
      name, abstract: `${pick(NAMES)}的摘要,记录${pick(ITEMS)}等内容`, items: [pick(ITEMS), pick(ITEMS)], agencyId, agencyName, agencyPath,
      agencyText: [agencyName], classNode: pick(['307001', '307002', '101001']), classItem: '', shareType, status: pick(STATUSES),
      open: rnd() < 0.5, labels: [shareType], updatedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), code: `307001/${String(i).padStart(5, '0')}`,
      namePinyin: name.startsWith('人口') ? 'renkoujichuxinxi rkjcxx' : 'qita qt', nameSort: `k${String(1000 - i).padStart(4, '0')}`,
    });
  }).map((d) => ({ ...d, classItem: d.classNode.slice(0, 3) }));
}

export function searchContract(label: string, factory: () => Promise<SearchEngine>): void {
  describe(`SearchEngine contract: ${label}`, function () {
    this.timeout(60_000);
    let engine: SearchEngine;
    beforeEach(async () => {
      engine = await factory();
      await engine.open();
    });
    afterEach(() => engine.close());

    const ids = async (q: SearchQuery) => (await engine.query(q)).hits.map((h) => h.doc.id).sort();

    describe('index life cycle', () => {
      it('reports a missing index and refuses to answer rather than answer empty (F13)', async () => {
        expect((await engine.status()).state).to.equal('missing');
        let err: unknown;
        try {
          await engine.query(query('人口'));
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(UnavailableError);
        // Writes never create an index either.
        let writeErr: unknown;
        try {
          await engine.upsert([doc('a')]);
        } catch (e) {
          writeErr = e;
        }
        expect(writeErr).to.be.instanceOf(UnavailableError);
        expect((await engine.status()).state).to.equal('missing');
      });

      it('builds an index behind the alias, with the mapping version and the count', async () => {
        const r = await engine.rebuild(from(corpus(30)), { cursor: '17' });
        expect(r.loaded).to.equal(30);
        const st = await engine.status();
        expect(st).to.include({ state: 'ready', docCount: 30, mappingVersion: 1, indexName: r.indexName });
        expect(await engine.getCursor()).to.deep.equal({ index: r.indexName, cursor: '17' });
        await engine.setCursor(r.indexName, '42');
        expect((await engine.getCursor()).cursor).to.equal('42');
      });

      it('refuses an empty rebuild and keeps serving the old index (F12)', async () => {
        await engine.rebuild(from(corpus(5)));
        const before = await engine.status();
        let err: unknown;
        try {
          await engine.rebuild(from([]));
        } catch (e) {
          err = e;
        }
        expect(err).to.be.an('error');
        expect(await engine.status()).to.include({ indexName: before.indexName, docCount: 5 });
        expect((await engine.query(query(''))).total).to.equal(5);
      });

      it('a rebuild that fails midway never moves the alias, and search answers throughout', async () => {
        await engine.rebuild(from(corpus(10)));
        const before = await engine.status();
        let answeredDuring = -1;
        async function* failing(): AsyncIterable<SearchDocument> {
          yield doc('n1');
          answeredDuring = (await engine.query(query(''))).total;
          throw new Error('source broke');
        }
        let err: unknown;
        try {
          await engine.rebuild(failing());
        } catch (e) {
          err = e;
        }
        expect((err as Error).message).to.equal('source broke');
        expect(answeredDuring).to.equal(10);
        expect(await engine.status()).to.include({ indexName: before.indexName, docCount: 10, rebuilding: false });
      });

      it('keeps a cursor written for the old index off the new one (a worker that was not held during a swap)', async () => {
        const first = await engine.rebuild(from(corpus(3)), { cursor: '3' });
        const seen = await engine.getCursor();
        const second = await engine.rebuild(from(corpus(3)), { cursor: '5' });
        await engine.setCursor(seen.index, '99');
        expect(seen.index).to.equal(first.indexName);
        expect(await engine.getCursor()).to.deep.equal({ index: second.indexName, cursor: '5' });
      });

      it('lets the caller catch up before the swap, and stores the cursor it reached', async () => {
        await engine.rebuild(from(corpus(3)));
        const r = await engine.rebuild(from([doc('x1'), doc('x2')]), {
          cursor: '5',
          beforeSwap: async (w) => {
            // The old index still serves while the new one catches up.
            expect((await engine.query(query(''))).total).to.equal(3);
            expect((await w.upsert([doc('x3'), doc('x1', { version: 2, name: '新名称' })])).map((o) => o.status)).to.deep.equal(['ok', 'ok']);
            expect((await w.remove([{ id: 'x2', version: 2 }]))[0].status).to.equal('ok');
            return '9';
          },
        });
        expect(r.loaded).to.equal(2);
        expect(await ids(query(''))).to.deep.equal(['x1', 'x3']);
        expect((await engine.query(query('新名称'))).hits[0].doc.id).to.equal('x1');
        expect((await engine.getCursor()).cursor).to.equal('9');
      });
    });

    describe('matching (the token rules of domain/text.ts)', () => {
      const docs = corpus(200);
      beforeEach(async () => {
        await engine.rebuild(from(docs));
      });

      const cases: [string, Partial<SearchQuery>?][] = [
        ['人口'], ['人口普查'], ['口普'], ['税'], ['企业 登记'], ['统一社会信用代码'], ['身份证号'], ['gdp'], ['GDP统计'], ['gd'],
        ['renkou'], ['rkjc'], ['r'], ['307001/0001'], ['00012'], ['无条件共享'], ['部分共享'], ['市公安局'], ['上城区'],
        ['企业', { fields: ['items'] }], ['身份证号', { fields: ['items'] }], ['人口', { fields: ['name', 'namePinyin'] }],
        ['secret:* AND (人口) OR name:"x"'], ['人口\u0000\u202e普查'], ['不存在的词汇'],
      ];
      for (const [text, over] of cases) {
        it(`"${text}"${over ? ` in ${over.fields}` : ''} returns exactly the documents the rules say`, async () => {
          const q = query(text, { limit: 1000, ...over });
          expect(await ids(q)).to.deep.equal(expectedIds(docs, q));
          expect((await engine.query(q)).total).to.equal(expectedIds(docs, q).length);
        });
      }

      it('never matches a phrase across punctuation: 人口,普查 does not contain 口普', async () => {
        await engine.upsert([doc('split', { name: '人口,普查', abstract: '无', items: [] }), doc('whole', { name: '人口普查', abstract: '无', items: [] })]);
        const hits = await ids(query('口普', { limit: 1000 }));
        expect(hits).to.include('whole');
        expect(hits).to.not.include('split');
      });

      it('matches synonyms from the shared file: 身份证号 finds 公民身份号码 holders', async () => {
        const got = await ids(query('身份证号', { fields: ['items'], limit: 1000 }));
        expect(got.length).to.be.greaterThan(0);
        expect(got).to.include(docs.find((d) => d.items.includes('公民身份号码') && !d.items.includes('身份证号'))!.id);
      });

      it('filters exactly like matchesCond: visibility, sub-agencies, class prefix, booleans', async () => {
        const filters: Cond[] = [
          { or: [{ path: 'status', eq: 'published' }, { path: 'agencyId', eq: 'ag-gaj' }] },
          { and: [{ path: 'status', eq: 'published' }, { path: 'open', eq: true }] },
          { path: 'agencyPath', eq: 'ag-sc' },
          { path: 'classNode', prefix: '307' },
          { and: [{ path: 'shareType', in: ['有条件共享', '不予共享'] }, { path: 'agencyPath', eq: 'ag-city' }] },
          { path: 'status', eq: 'no-such-status' },
        ];
        for (const filter of filters) {
          for (const text of ['', '人口', '登记']) {
            const q = query(text, { filter, limit: 1000 });
            expect(await ids(q), `${text} ${JSON.stringify(filter)}`).to.deep.equal(expectedIds(docs, q));
          }
        }
      });

      it('counts facets over exactly the hits, after filters', async () => {
        const filter: Cond = { and: [{ path: 'status', eq: 'published' }, { path: 'shareType', eq: '有条件共享' }] };
        const q = query('登记', { filter, facets: FACET_NAMES, limit: 5 });
        const r = await engine.query(q);
        const hitIds = new Set(expectedIds(docs, { ...q, limit: 1000 }));
        expect(r.total).to.equal(hitIds.size);
        for (const name of FACET_NAMES) {
          const want = new Map<string, number>();
          for (const d of docs) {
            if (!hitIds.has(d.id)) continue;
            const v = String(d[FACETS[name]]);
            want.set(v, (want.get(v) ?? 0) + 1);
          }
          const got = new Map((r.facets[name] ?? []).map((b) => [b.value, b.count]));
          expect(got, name).to.deep.equal(want);
          const counts = (r.facets[name] ?? []).map((b) => b.count);
          expect(counts, `${name} ordered by count`).to.deep.equal([...counts].sort((a, b) => b - a));
        }
      });

      it('ranks a name match above a data-item match above an abstract-only match, and the exact name first', async () => {
        await engine.upsert([
          doc('in-abstract', { name: '甲', abstract: '包含婚姻登记的摘要', items: ['乙'] }),
          doc('in-items', { name: '丙', abstract: '无关', items: ['婚姻登记日期'] }),
          doc('in-name', { name: '婚姻登记档案', abstract: '无关', items: ['丁'] }),
          doc('exact', { name: '婚姻登记', abstract: '无关', items: ['戊'] }),
        ]);
        const r = await engine.query(query('婚姻登记'));
        expect(r.hits.map((h) => h.doc.id)).to.deep.equal(['exact', 'in-name', 'in-items', 'in-abstract']);
      });

      it('sorts by name and by update time, and pages without overlap', async () => {
        const byName = (await engine.query(query('', { sort: 'name', limit: 1000 }))).hits.map((h) => h.doc.nameSort);
        expect(byName).to.deep.equal([...byName].sort());
        const byTime = (await engine.query(query('', { sort: 'updated', limit: 1000 }))).hits.map((h) => h.doc.updatedAt);
        expect(byTime).to.deep.equal([...byTime].sort().reverse());
        const all = (await engine.query(query('登记', { sort: 'updated', limit: 1000 }))).hits.map((h) => h.doc.id);
        const pages: string[] = [];
        for (let offset = 0; offset < all.length; offset += 7) pages.push(...(await engine.query(query('登记', { sort: 'updated', offset, limit: 7 }))).hits.map((h) => h.doc.id));
        expect(pages).to.deep.equal(all);
        expect((await engine.query(query('登记', { offset: 100_000, limit: 10 }))).hits).to.deep.equal([]);
      });
    });

    describe('versioned writes (F4, F7, F8)', () => {
      beforeEach(async () => {
        await engine.rebuild(from([doc('v', { version: 2, name: '第二版' })]));
      });

      it('the newest version wins whatever order writes arrive in', async () => {
        expect((await engine.upsert([doc('v', { version: 1, name: '第一版' })]))[0].status).to.equal('stale');
        expect((await engine.upsert([doc('v', { version: 2, name: '重放第二版' })]))[0].status).to.equal('stale');
        expect((await engine.upsert([doc('v', { version: 4, name: '第四版' })]))[0].status).to.equal('ok');
        expect((await engine.upsert([doc('v', { version: 3, name: '第三版' })]))[0].status).to.equal('stale');
        const r = await engine.query(query(''));
        expect(r.hits.map((h) => [h.doc.name, h.doc.version])).to.deep.equal([['第四版', 4]]);
        expect((await engine.query(query('第一版'))).total).to.equal(0);
      });

      it('a delete stays deleted when an older write arrives after it', async () => {
        expect((await engine.remove([{ id: 'v', version: 3 }]))[0].status).to.equal('ok');
        expect((await engine.upsert([doc('v', { version: 2, name: '第二版' })]))[0].status).to.equal('stale');
        expect((await engine.query(query(''))).total).to.equal(0);
        expect((await engine.remove([{ id: 'v', version: 1 }]))[0].status).to.equal('stale');
        expect((await engine.status()).docCount).to.equal(0);
      });

      it('reports each item of a bulk write on its own', async () => {
        const out = await engine.upsert([doc('n1'), doc('v', { version: 1 }), doc('n2', { version: 5 })]);
        expect(out.map((o) => [o.id, o.status])).to.deep.equal([['n1', 'ok'], ['v', 'stale'], ['n2', 'ok']]);
      });
    });

    describe('scan and repair (reconcile, F14)', () => {
      it('scans every live document and repairs whatever the index holds', async () => {
        await engine.rebuild(from([doc('a'), doc('b'), doc('c')]));
        await engine.upsert([doc('a', { version: 99, name: '被篡改' })]);
        await engine.remove([{ id: 'c', version: 50 }]);
        const scanned: string[] = [];
        for await (const d of engine.scan()) scanned.push(d.id);
        expect(scanned.sort()).to.deep.equal(['a', 'b']);
        await engine.repair([doc('a', { version: 1, name: '原名' }), doc('c')], ['b']);
        const after = new Map<string, SearchDocument>();
        for await (const d of engine.scan()) after.set(d.id, d);
        expect([...after.keys()].sort()).to.deep.equal(['a', 'c']);
        expect(after.get('a')!.name).to.equal('原名');
        expect((await engine.query(query('被篡改'))).total).to.equal(0);
      });
    });
  });
}
