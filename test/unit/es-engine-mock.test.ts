// The Elasticsearch engine at the client level, against @elastic/elasticsearch-mock (no server on this machine):
// bulk writes and their per-item outcomes, tombstones, the rebuild with its alias swap and failure paths, the
// sync cursor, scan, repair, and how cluster failures reach users (UnavailableError with the domain's texts).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Client } from '@elastic/elasticsearch';
import { expect } from 'chai';
import { pinyinSortKey, pinyinText } from '../../indexers/pinyin.ts';
import { ElasticsearchEngine } from '../../server/adapters/search/elasticsearch/engine.ts';
import { ConflictError, UnavailableError } from '../../server/domain/errors.ts';
import {
  INDEX_REBUILDING, SEARCH_DOWN, compactText, SEARCH_TIMEOUT, type SearchDocument, type SearchQuery,
} from '../../server/domain/search.ts';

// The mock is CommonJS and recognises only the CommonJS build's error classes (this file imports the ESM build):
// errors handed to the mock must come from there. The client turns them into its own classes on the way back.
// (Loaded with require too: its typings declare an ES default export that the CommonJS module does not have.)
const require = createRequire(import.meta.url);
const cjs = require('@elastic/elasticsearch') as typeof import('@elastic/elasticsearch');
const Mock = require('@elastic/elasticsearch-mock') as typeof import('@elastic/elasticsearch-mock').default;

const ALIAS = 'test-catalog';
const NOW = new Date('2026-01-02T03:04:05.678Z');
const NEW = `${ALIAS}-v1-20260102t030405678`;
const LOAD = `${NEW}-load`;
const OLD = `${ALIAS}-v1-20250101t000000000`;
const STATE = `${ALIAS}-state`;

interface Call {
  method: string;
  path: string;
  body: any;
  querystring: Record<string, string>;
}

function responseError(statusCode: number, body: unknown) {
  return new cjs.errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} } as never);
}
const indexMissing = () => responseError(404, { error: { type: 'index_not_found_exception', reason: `no such index [${ALIAS}]` }, status: 404 });
const aliasMissing = () => responseError(404, { error: `alias [${ALIAS}] missing`, status: 404 });

/** A mocked cluster that records every request it answers. */
class Cluster {
  readonly mock = new Mock();
  readonly calls: Call[] = [];
  readonly client = new Client({
    node: 'http://localhost:9200',
    // the same class at run time; the typings see the CommonJS and ESM declarations as two different ones
    Connection: this.mock.getConnection() as unknown as NonNullable<ConstructorParameters<typeof Client>[0]>['Connection'],
  });

  on(method: string | string[], path: string, fn: (c: Call) => unknown): this {
    this.mock.add({ method, path }, (p) => {
      this.calls.push(p as unknown as Call);
      return fn(p as unknown as Call) as Record<string, unknown>;
    });
    return this;
  }

  called(method: string, path: string): Call[] {
    return this.calls.filter((c) => c.method === method && c.path === path);
  }

  engine(over: Partial<ConstructorParameters<typeof ElasticsearchEngine>[0]> = {}): ElasticsearchEngine {
    return new ElasticsearchEngine({
      client: this.client, alias: ALIAS, synonymsText: '发改委, 发展和改革委员会\n', now: () => NOW, retryDelaysMs: [1, 1], batchSize: 2, ...over,
    });
  }
}

function doc(id: string, version = 1, over: Partial<SearchDocument> = {}): SearchDocument {
  const name = over.name ?? `人口信息${id}`;
  return {
    id, version, code: '101001/00001', name, abstract: '', items: [], keywords: [], agencyId: 'ag-1', agencyName: '公安局',
    agencyPath: ['ag-1'], agencyText: ['公安局'], classNode: '101001', classItem: '101', shareType: '无条件共享',
    formatCategory: '数据库', updateCycle: '每日', baseDatabase: '', open: true, status: 'published',
    updatedAt: '2026-01-01T00:00:00.000Z', labels: [], namePinyin: pinyinText(name), agencyPinyin: '', nameSort: pinyinSortKey(name), nameCompact: compactText(name), ...over,
  };
}

async function* from(docs: SearchDocument[]): AsyncIterable<SearchDocument> {
  for (const d of docs) yield d;
}

/** Pairs of bulk lines → [action, source]. */
function actions(body: any[]): [any, any][] {
  const out: [any, any][] = [];
  for (let i = 0; i < body.length; i += 2) out.push([body[i], body[i + 1]]);
  return out;
}

/** A bulk answer with one item per action, each `status(i, source)`. */
function bulkAnswer(status: (i: number, src: any) => { status: number; error?: { type: string; reason: string } }) {
  return (c: Call) => {
    const items = actions(c.body).map(([a, src], i) => ({ index: { _index: a.index._index, _id: a.index._id, ...status(i, src) } }));
    return { took: 1, errors: items.some((it) => it.index.status >= 300), items };
  };
}

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** What users are told, and that the log message names no index, alias or query (B20). */
function expectUnavailable(e: unknown, texts: { zh: string; en: string }) {
  expect(e).to.be.instanceOf(UnavailableError);
  const u = e as UnavailableError;
  expect(u.zh).to.equal(texts.zh);
  expect(u.en).to.equal(texts.en);
  expect(u.message).to.not.contain(ALIAS);
  expect(u.message).to.not.contain('人口');
}

const QUERY: SearchQuery = { terms: [['人口']], phrase: '人口', facets: ['open'], sort: 'relevance', offset: 0, limit: 10 };

describe('elasticsearch engine (mock): writes', () => {
  it('upserts through the alias in one bulk with require_alias and the record version as an external version', async () => {
    const es = new Cluster().on('POST', '/_bulk', bulkAnswer(() => ({ status: 201 })));
    const out = await es.engine().upsert([doc('a', 3), doc('b', 7)]);
    expect(out).to.deep.equal([{ id: 'a', status: 'ok' }, { id: 'b', status: 'ok' }]);
    const [call] = es.called('POST', '/_bulk');
    expect(call.querystring).to.deep.equal({ require_alias: 'true' });
    expect(actions(call.body)).to.deep.equal([
      [{ index: { _index: ALIAS, _id: 'a', version: 3, version_type: 'external' } }, doc('a', 3)],
      [{ index: { _index: ALIAS, _id: 'b', version: 7, version_type: 'external' } }, doc('b', 7)],
    ]);
  });

  it('maps a partial bulk failure item by item: ok, stale, retry, failed (F3)', async () => {
    const answers = [
      { status: 201 },
      { status: 200 },
      { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'current version [9] is higher' } },
      { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } },
      { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [open]' } },
      { status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: 'mapping set to strict' } },
      { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } },
    ];
    const es = new Cluster().on('POST', '/_bulk', bulkAnswer((i) => answers[i]));
    const docs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => doc(id, 2));
    const bad = { ...doc('h', 0) };
    const out = await es.engine().upsert([...docs.slice(0, 3), bad, ...docs.slice(3)]);
    expect(out).to.deep.equal([
      { id: 'a', status: 'ok' },
      { id: 'b', status: 'ok' },
      { id: 'c', status: 'stale' },
      { id: 'h', status: 'failed', reason: 'document without a valid id and version' },
      { id: 'd', status: 'retry', reason: 'es_rejected_execution_exception: queue full' },
      { id: 'e', status: 'failed', reason: 'mapper_parsing_exception: failed to parse field [open]' },
      { id: 'f', status: 'failed', reason: 'strict_dynamic_mapping_exception: mapping set to strict' },
      { id: 'g', status: 'retry', reason: 'unavailable_shards_exception: primary shard is not active' },
    ]);
    // the invalid document never left the process
    expect(actions(es.called('POST', '/_bulk')[0].body).map(([a]) => a.index._id)).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('removes by indexing versioned tombstone documents, never delete actions (F8)', async () => {
    const es = new Cluster().on('POST', '/_bulk', bulkAnswer((i) => (i === 0 ? { status: 200 } : { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'newer' } })));
    const out = await es.engine().remove([{ id: 'a', version: 5 }, { id: 'b', version: 2 }]);
    expect(out).to.deep.equal([{ id: 'a', status: 'ok' }, { id: 'b', status: 'stale' }]);
    const [call] = es.called('POST', '/_bulk');
    expect(call.querystring.require_alias).to.equal('true');
    expect(actions(call.body)).to.deep.equal([
      [{ index: { _index: ALIAS, _id: 'a', version: 5, version_type: 'external' } }, { id: 'a', version: 5, deleted: true }],
      [{ index: { _index: ALIAS, _id: 'b', version: 2, version_type: 'external' } }, { id: 'b', version: 2, deleted: true }],
    ]);
    expect(JSON.stringify(call.body)).to.not.contain('"delete"');
  });

  it('a missing alias is "rebuilding", not a dead letter: nothing is auto-created (F13)', async () => {
    const es = new Cluster().on('POST', '/_bulk', bulkAnswer(() => ({
      status: 404, error: { type: 'index_not_found_exception', reason: `no such index [${ALIAS}] and [require_alias] request flag is [true]` },
    })));
    expectUnavailable(await rejection(es.engine().upsert([doc('a')])), INDEX_REBUILDING);
  });

  it('an unreachable cluster or a failed request is "search is down" (writes are retried by the indexer)', async () => {
    const down = new Cluster().on('POST', '/_bulk', () => new cjs.errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'));
    expectUnavailable(await rejection(down.engine().upsert([doc('a')])), SEARCH_DOWN);
    const refused = new Cluster().on('POST', '/_bulk', () => responseError(400, { error: { type: 'illegal_argument_exception', reason: 'bad' }, status: 400 }));
    expectUnavailable(await rejection(refused.engine().remove([{ id: 'a', version: 1 }])), SEARCH_DOWN);
  });

  it('waits for the refresh only when asked to (tests that read their own writes at once)', async () => {
    const es = new Cluster().on('POST', '/_bulk', bulkAnswer(() => ({ status: 201 })));
    await es.engine({ refresh: 'wait_for' }).upsert([doc('a')]);
    expect(es.calls[0].querystring).to.deep.equal({ require_alias: 'true', refresh: 'wait_for' });
  });

  it('sends nothing for an empty batch', async () => {
    const es = new Cluster();
    expect(await es.engine().upsert([])).to.deep.equal([]);
    expect(es.calls).to.have.length(0);
  });
});

describe('elasticsearch engine (mock): search', () => {
  it('searches through the alias with the translated body and maps the answer', async () => {
    const d = doc('a', 2);
    const es = new Cluster().on('POST', `/${ALIAS}/_search`, () => ({
      took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 },
      hits: { total: { value: 1, relation: 'eq' }, max_score: 30, hits: [{ _index: OLD, _id: 'a', _score: 30, _source: d }] },
      aggregations: { open: { buckets: [{ key: 1, key_as_string: 'true', doc_count: 1 }] } },
    }));
    const res = await es.engine().query(QUERY);
    expect(res).to.deep.equal({ total: 1, hits: [{ doc: d, score: 30 }], facets: { open: [{ value: 'true', count: 1 }] } });
    const [call] = es.calls;
    expect(call.querystring).to.deep.equal({ allow_partial_search_results: 'false' });
    expect(call.body.query.bool.must_not).to.deep.equal([{ term: { deleted: true } }]);
    expect(call.body).to.include({ from: 0, size: 10, track_total_hits: true });
    expect(call.body.aggs.open.terms.field).to.equal('open');
  });

  it('a missing alias answers "rebuilding" rather than an empty result (F13)', async () => {
    const es = new Cluster().on('POST', `/${ALIAS}/_search`, indexMissing);
    expectUnavailable(await rejection(es.engine().query(QUERY)), INDEX_REBUILDING);
  });

  it('a client timeout or a timed-out answer is "search took too long" (F2)', async () => {
    const slow = new Cluster().on('POST', `/${ALIAS}/_search`, () => new cjs.errors.TimeoutError('Request timed out'));
    expectUnavailable(await rejection(slow.engine().query(QUERY)), SEARCH_TIMEOUT);
    const partial = new Cluster().on('POST', `/${ALIAS}/_search`, () => ({ timed_out: true, hits: { total: { value: 0 }, hits: [] } }));
    expectUnavailable(await rejection(partial.engine().query(QUERY)), SEARCH_TIMEOUT);
  });

  it('a cluster that is down is "search is down"; a closed engine too', async () => {
    const es = new Cluster().on('POST', `/${ALIAS}/_search`, () => responseError(500, { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' } }));
    expectUnavailable(await rejection(es.engine().query(QUERY)), SEARCH_DOWN);
    const engine = new Cluster().engine();
    await engine.close();
    expectUnavailable(await rejection(engine.query(QUERY)), SEARCH_DOWN);
  });

  it('answers within its budget when the cluster accepts the connection and never replies (F2)', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer(() => { /* never answers */ });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const engine = new ElasticsearchEngine({ node: `http://127.0.0.1:${port}`, alias: ALIAS, synonymsText: '', requestTimeoutMs: 300 });
    try {
      const started = Date.now();
      expectUnavailable(await rejection(engine.query(QUERY)), SEARCH_TIMEOUT);
      expect(Date.now() - started).to.be.below(1500);
    } finally {
      await engine.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('elasticsearch engine (mock): open and status', () => {
  it('no alias → missing, and open() creates nothing', async () => {
    const es = new Cluster().on('GET', `/_alias/${ALIAS}`, aliasMissing);
    expect(await es.engine().open()).to.deep.equal({ state: 'missing', rebuilding: false });
    expect(es.calls.map((c) => c.method)).to.deep.equal(['GET']);
  });

  it('ready: the physical index behind the alias, its mapping version and its live documents', async () => {
    const es = new Cluster()
      .on('GET', `/_alias/${ALIAS}`, () => ({ [OLD]: { aliases: { [ALIAS]: { is_write_index: true } } } }))
      .on('POST', `/${OLD}/_count`, () => ({ count: 42 }));
    expect(await es.engine().status()).to.deep.equal({ state: 'ready', indexName: OLD, mappingVersion: 1, docCount: 42, rebuilding: false });
    expect(es.called('POST', `/${OLD}/_count`)[0].body).to.deep.equal({ query: { bool: { must_not: [{ term: { deleted: true } }] } } });
  });

  it('unreachable → unavailable (no throw)', async () => {
    const es = new Cluster().on('GET', `/_alias/${ALIAS}`, () => new cjs.errors.ConnectionError('connect ECONNREFUSED'));
    expect(await es.engine().status()).to.deep.equal({ state: 'unavailable', rebuilding: false });
  });
});

/** A cluster where a rebuild can run: answers for every step, each overridable. */
function rebuildCluster(opts: {
  bulk?: (c: Call) => unknown;
  count?: number | ((c: Call) => unknown);
  previous?: string[];
  aliases?: (c: Call) => unknown;
  create?: (c: Call) => unknown;
} = {}): Cluster {
  const es = new Cluster();
  let swapped = false;
  es.on('PUT', '/:index', (c) => (c.path === `/${NEW}` && opts.create ? opts.create(c) : { acknowledged: true, index: c.path.slice(1) }))
    .on('DELETE', '/:index', () => ({ acknowledged: true }))
    .on('HEAD', '/:index', () => responseError(404, ''))
    .on('POST', '/_bulk', opts.bulk ?? bulkAnswer(() => ({ status: 201 })))
    .on(['GET', 'POST'], '/:index/_refresh', () => ({ _shards: { total: 1, successful: 1, failed: 0 } }))
    .on('POST', '/:index/_count', (c) => (typeof opts.count === 'function' ? opts.count(c) : { count: opts.count ?? 0 }))
    .on('PUT', '/:index/_doc/:id', () => ({ result: 'created' }))
    .on('DELETE', '/:index/_doc/:id', () => ({ result: 'deleted' }))
    .on('GET', `/_alias/${ALIAS}`, () => {
      const names = swapped ? [NEW] : (opts.previous ?? []);
      if (!names.length) return aliasMissing();
      return Object.fromEntries(names.map((n) => [n, { aliases: { [ALIAS]: { is_write_index: true } } }]));
    })
    .on('POST', '/_aliases', (c) => {
      if (opts.aliases) return opts.aliases(c);
      swapped = true;
      return { acknowledged: true };
    });
  return es;
}

function expectNoSwapAndNewIndexDeleted(es: Cluster) {
  expect(es.called('POST', '/_aliases'), 'the alias never moves').to.have.length(0);
  expect(es.called('DELETE', `/${NEW}`), 'the new index is deleted').to.have.length(1);
  expect(es.called('DELETE', `/${OLD}`), 'the serving index is kept').to.have.length(0);
}

describe('elasticsearch engine (mock): rebuild', () => {
  it('creates a versioned index, loads it in batches, refreshes, counts, swaps the alias in one call, deletes the old', async () => {
    const es = rebuildCluster({ count: 3, previous: [OLD] });
    const progress: number[] = [];
    const report = await es.engine().rebuild(from([doc('a', 1), doc('b', 4), doc('c', 2)]), { cursor: 'c-17', onProgress: (n) => progress.push(n) });
    expect(report).to.include({ indexName: NEW, mappingVersion: 1, loaded: 3, previous: OLD });
    expect(progress).to.deep.equal([2, 3]);

    const [create] = es.called('PUT', `/${NEW}`);
    expect(create.body.mappings.dynamic).to.equal('strict');
    expect(create.body.settings.analysis.filter.zh_synonyms.synonyms).to.deep.equal(['发改委, 发展和改革委员会']);
    expect(create.body.aliases).to.deep.equal({ [LOAD]: {} });

    const bulks = es.called('POST', '/_bulk');
    expect(bulks).to.have.length(2);
    for (const b of bulks) expect(b.querystring.require_alias).to.equal('true');
    expect(bulks.flatMap((b) => actions(b.body).map(([a]) => a.index))).to.deep.equal([
      { _index: LOAD, _id: 'a', version: 1, version_type: 'external' },
      { _index: LOAD, _id: 'b', version: 4, version_type: 'external' },
      { _index: LOAD, _id: 'c', version: 2, version_type: 'external' },
    ]);

    const [swap] = es.called('POST', '/_aliases');
    expect(es.called('POST', '/_aliases')).to.have.length(1);
    expect(swap.body.actions).to.deep.equal([
      { remove: { index: OLD, alias: ALIAS } },
      { add: { index: NEW, alias: ALIAS, is_write_index: true } },
      { remove: { index: NEW, alias: LOAD } },
    ]);
    expect(es.called('PUT', `/${STATE}/_doc/${NEW}`)[0].body).to.deep.equal({ cursor: 'c-17' });

    // order: load → refresh → count → cursor → swap → delete the old index
    const step = (m: string, p: string) => es.calls.findIndex((c) => c.method === m && c.path === p);
    const order = [step('POST', '/_bulk'), step('GET', `/${NEW}/_refresh`), step('POST', `/${NEW}/_count`),
      step('PUT', `/${STATE}/_doc/${NEW}`), step('POST', '/_aliases'), step('DELETE', `/${OLD}`)];
    expect(order.every((i) => i >= 0)).to.equal(true);
    expect([...order].sort((x, y) => x - y)).to.deep.equal(order);
    expect(es.called('DELETE', `/${NEW}`)).to.have.length(0);
  });

  it('counts a record the change feed yields twice (changed mid-read) once', async () => {
    const es = rebuildCluster({ count: 2, previous: [OLD] });
    const report = await es.engine({ batchSize: 10 }).rebuild(from([doc('a', 1), doc('b', 1), doc('a', 2)]));
    expect(report.loaded).to.equal(2);
    expect(es.called('POST', '/_aliases')).to.have.length(1);
  });

  it('counts only live documents in the count check', async () => {
    const es = rebuildCluster({ count: 1 });
    await es.engine().rebuild(from([doc('a')]));
    expect(es.called('POST', `/${NEW}/_count`)[0].body).to.deep.equal({ query: { bool: { must_not: [{ term: { deleted: true } }] } } });
  });

  it('a permanently refused document fails the rebuild: new index deleted, alias untouched', async () => {
    const es = rebuildCluster({
      count: 2, previous: [OLD],
      bulk: bulkAnswer((_, src) => (src.id === 'b' ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad date' } } : { status: 201 })),
    });
    const e = await rejection(es.engine().rebuild(from([doc('a'), doc('b'), doc('c')])));
    expect(e.message).to.match(/document b was refused: mapper_parsing_exception/);
    expectNoSwapAndNewIndexDeleted(es);
  });

  it('retries items the cluster asked to retry, and succeeds when they land', async () => {
    let first = true;
    const es = rebuildCluster({
      count: 2, previous: [OLD],
      bulk: bulkAnswer((_, src) => {
        if (src.id === 'b' && first) {
          first = false;
          return { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } };
        }
        return { status: 201 };
      }),
    });
    const report = await es.engine().rebuild(from([doc('a'), doc('b')]));
    expect(report.loaded).to.equal(2);
    const sent = es.called('POST', '/_bulk').map((b) => actions(b.body).map(([a]) => a.index._id));
    expect(sent).to.deep.equal([['a', 'b'], ['b']]);
  });

  it('fails when retryable items stay refused after the retries', async () => {
    const es = rebuildCluster({ count: 1, previous: [OLD], bulk: bulkAnswer(() => ({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } })) });
    const e = await rejection(es.engine().rebuild(from([doc('a')])));
    expect(e.message).to.match(/still refused after 3 attempts/);
    expect(es.called('POST', '/_bulk')).to.have.length(3);
    expectNoSwapAndNewIndexDeleted(es);
  });

  it('a short count fails the rebuild: new index deleted, alias untouched', async () => {
    const es = rebuildCluster({ count: 2, previous: [OLD] });
    const e = await rejection(es.engine().rebuild(from([doc('a'), doc('b'), doc('c')])));
    expect(e.message).to.match(/count check failed: loaded 3, the new index holds 2/);
    expectNoSwapAndNewIndexDeleted(es);
  });

  it('refuses an empty rebuild unless allowEmpty; a first build adds the alias without removing any', async () => {
    const es = rebuildCluster({ count: 0, previous: [OLD] });
    const e = await rejection(es.engine().rebuild(from([])));
    expect(e.message).to.match(/no documents/);
    expectNoSwapAndNewIndexDeleted(es);

    const first = rebuildCluster({ count: 0 });
    const report = await first.engine().rebuild(from([]), { allowEmpty: true });
    expect(report).to.include({ indexName: NEW, loaded: 0 });
    expect(report).to.not.have.property('previous');
    expect(first.called('POST', '/_aliases')[0].body.actions).to.deep.equal([
      { add: { index: NEW, alias: ALIAS, is_write_index: true } },
      { remove: { index: NEW, alias: LOAD } },
    ]);
    expect(first.calls.filter((c) => c.method === 'DELETE' && !c.path.includes('/_doc/'))).to.have.length(0);
  });

  it('lets the caller catch up through a writer on the new index, and stores the cursor it reached', async () => {
    const es = rebuildCluster({ count: 1, previous: [OLD] });
    let swappedBefore = true;
    const report = await es.engine().rebuild(from([doc('a')]), {
      cursor: 'c-1',
      beforeSwap: async (w) => {
        swappedBefore = es.called('POST', '/_aliases').length > 0;
        expect(await w.upsert([doc('b', 3)])).to.deep.equal([{ id: 'b', status: 'ok' }]);
        expect(await w.remove([{ id: 'a', version: 2 }])).to.deep.equal([{ id: 'a', status: 'ok' }]);
        return 'c-9';
      },
    });
    expect(swappedBefore).to.equal(false);
    expect(report.indexName).to.equal(NEW);
    const bulks = es.called('POST', '/_bulk');
    expect(actions(bulks[1].body)).to.deep.equal([[{ index: { _index: LOAD, _id: 'b', version: 3, version_type: 'external' } }, doc('b', 3)]]);
    expect(actions(bulks[2].body)).to.deep.equal([[{ index: { _index: LOAD, _id: 'a', version: 2, version_type: 'external' } }, { id: 'a', version: 2, deleted: true }]]);
    expect(es.called('PUT', `/${STATE}/_doc/${NEW}`).map((c) => c.body)).to.deep.equal([{ cursor: 'c-9' }]);
  });

  it('a failing catch-up pass leaves no orphan index and the alias where it was', async () => {
    const es = rebuildCluster({ count: 1, previous: [OLD] });
    const e = await rejection(es.engine().rebuild(from([doc('a')]), { beforeSwap: async () => { throw new Error('store went away'); } }));
    expect(e.message).to.equal('store went away');
    expectNoSwapAndNewIndexDeleted(es);
  });

  it('a failed alias swap deletes the new index when the alias does not point at it', async () => {
    const es = rebuildCluster({ count: 1, previous: [OLD], aliases: () => responseError(500, { error: { type: 'process_cluster_event_timeout_exception', reason: 'timeout' } }) });
    await rejection(es.engine().rebuild(from([doc('a')])));
    expect(es.called('POST', '/_aliases')).to.have.length(1);
    expect(es.called('DELETE', `/${NEW}`)).to.have.length(1);
    expect(es.called('DELETE', `/${OLD}`)).to.have.length(0);
  });

  it('a cluster that is down at the start: UnavailableError, and no index is left behind', async () => {
    const es = rebuildCluster({ create: () => new cjs.errors.ConnectionError('connect ECONNREFUSED') });
    expectUnavailable(await rejection(es.engine().rebuild(from([doc('a')]))), SEARCH_DOWN);
    expect(es.called('POST', '/_aliases')).to.have.length(0);
    // the create may have reached the cluster before the connection failed: the index goes either way
    expect(es.called('DELETE', `/${NEW}`)).to.have.length(1);
  });

  it('an index of the same name that is not ours is never deleted', async () => {
    const es = rebuildCluster({ create: () => responseError(400, { error: { type: 'resource_already_exists_exception', reason: 'exists' } }) });
    const e = await rejection(es.engine().rebuild(from([doc('a')])));
    expect(e.message).to.match(/resource_already_exists_exception/);
    expect(es.called('DELETE', `/${NEW}`)).to.have.length(0);
  });

  it('refuses a second rebuild while one runs (ConflictError) and reports rebuilding meanwhile', async () => {
    const es = rebuildCluster({ count: 1, previous: [OLD] }).on('POST', `/${OLD}/_count`, () => ({ count: 5 }));
    const engine = es.engine();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield doc('a');
      await gate;
    }
    const running = engine.rebuild(slow());
    await new Promise((r) => setTimeout(r, 10));
    expect(await rejection(engine.rebuild(from([doc('b')])))).to.be.instanceOf(ConflictError);
    expect((await engine.status()).rebuilding).to.equal(true);
    release();
    await running;
    expect((await engine.status()).rebuilding).to.equal(false);
  });
});

describe('elasticsearch engine (mock): sync cursor', () => {
  it('reads and writes the cursor of the physical index behind the alias, creating the state index on demand', async () => {
    const es = new Cluster()
      .on('GET', `/_alias/${ALIAS}`, () => ({ [OLD]: { aliases: { [ALIAS]: {} } } }))
      .on('HEAD', '/:index', () => responseError(404, ''))
      .on('PUT', '/:index', () => ({ acknowledged: true }))
      .on('PUT', '/:index/_doc/:id', () => ({ result: 'created' }))
      .on('GET', '/:index/_doc/:id', (c) => (c.path === `/${STATE}/_doc/${OLD}`
        ? { _index: STATE, _id: OLD, found: true, _source: { cursor: 'c-5' } }
        : responseError(404, { found: false })));
    const engine = es.engine();
    expect(await engine.getCursor()).to.deep.equal({ index: OLD, cursor: 'c-5' });
    await engine.setCursor(OLD, 'c-6');
    await engine.setCursor(OLD, 'c-7');
    expect(es.called('PUT', `/${STATE}`)).to.have.length(1);
    expect(es.called('PUT', `/${STATE}`)[0].body.mappings.dynamic).to.equal('strict');
    expect(es.called('PUT', `/${STATE}/_doc/${OLD}`).map((c) => c.body)).to.deep.equal([{ cursor: 'c-6' }, { cursor: 'c-7' }]);
  });

  it('no cursor stored → undefined; no alias → "rebuilding"', async () => {
    const es = new Cluster()
      .on('GET', `/_alias/${ALIAS}`, () => ({ [OLD]: { aliases: { [ALIAS]: {} } } }))
      .on('GET', '/:index/_doc/:id', () => indexMissing());
    expect(await es.engine().getCursor()).to.deep.equal({ index: OLD });
    const none = new Cluster().on('GET', `/_alias/${ALIAS}`, aliasMissing);
    expectUnavailable(await rejection(none.engine().getCursor()), INDEX_REBUILDING);
  });
});

describe('elasticsearch engine (mock): scan and repair', () => {
  it('scans live documents page by page in a point in time, then closes it', async () => {
    const page1 = Array.from({ length: 1000 }, (_, i) => doc(`d${i}`));
    const es = new Cluster()
      .on('POST', `/${ALIAS}/_pit`, () => ({ id: 'pit-1' }))
      .on('POST', '/_search', (c) => {
        const first = !c.body.search_after;
        const hits = (first ? page1 : [doc('last')]).map((d, i) => ({ _id: d.id, _source: d, sort: [i] }));
        return { pit_id: first ? 'pit-2' : 'pit-3', timed_out: false, hits: { hits } };
      })
      .on('DELETE', '/_pit', () => ({ succeeded: true }));
    const seen: string[] = [];
    for await (const d of es.engine().scan()) seen.push(d.id);
    expect(seen).to.have.length(1001);
    expect(seen.at(-1)).to.equal('last');
    const searches = es.called('POST', '/_search');
    expect(searches[0].body.query).to.deep.equal({ bool: { must_not: [{ term: { deleted: true } }] } });
    expect(searches[0].body.pit.id).to.equal('pit-1');
    expect(searches[1].body.pit.id).to.equal('pit-2');
    expect(searches[1].body.search_after).to.deep.equal([999]);
    expect(es.called('DELETE', '/_pit')[0].body).to.deep.equal({ id: 'pit-3' });
  });

  it('repairs at max(store version, index version) with external_gte, and tombstones removed ids above the index', async () => {
    const es = new Cluster()
      .on(['GET', 'POST'], `/${ALIAS}/_mget`, () => ({
        docs: [
          { _index: OLD, _id: 'a', found: true, _version: 9 },
          { _index: OLD, _id: 'b', found: false },
          { _index: OLD, _id: 'x', found: true, _version: 4 },
        ],
      }))
      .on('POST', '/_bulk', bulkAnswer(() => ({ status: 200 })));
    await es.engine().repair([doc('a', 3), doc('b', 2)], ['x']);
    const [call] = es.called('POST', '/_bulk');
    expect(call.querystring.require_alias).to.equal('true');
    expect(actions(call.body)).to.deep.equal([
      [{ index: { _index: ALIAS, _id: 'a', version: 9, version_type: 'external_gte' } }, doc('a', 3)],
      [{ index: { _index: ALIAS, _id: 'b', version: 2, version_type: 'external_gte' } }, doc('b', 2)],
      [{ index: { _index: ALIAS, _id: 'x', version: 5, version_type: 'external_gte' } }, { id: 'x', version: 5, deleted: true }],
    ]);
  });

  it('a repair the cluster refuses is reported, not swallowed', async () => {
    const es = new Cluster()
      .on(['GET', 'POST'], `/${ALIAS}/_mget`, () => ({ docs: [] }))
      .on('POST', '/_bulk', bulkAnswer(() => ({ status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } })));
    expect((await rejection(es.engine().repair([doc('a')], []))).message).to.match(/1 documents refused/);
  });
});
