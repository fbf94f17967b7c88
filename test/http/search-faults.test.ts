// Fault tests of security-and-reliability.md against the embedded engine (F15): nothing lost, nothing
// duplicated, nothing resurrected, and search never pretends to an empty answer.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { reconcile } from '../../indexers/rebuild.ts';
import { loadRefs, toDocument } from '../../indexers/resources.ts';
import { IndexSync } from '../../indexers/sync.ts';
import { startSearch } from '../../server/compose.ts';
import type { Resource } from '../../server/domain/resource.ts';
import { silentLogger } from '../../server/log.ts';
import { FaultyEngine } from '../support/faulty-engine.ts';
import { SYSTEM, resourceInput, storedResource } from '../support/fixtures.ts';
import { type Client, type TestApp, startApp } from '../support/harness.ts';

async function create(c: Client, name: string): Promise<Resource> {
  const res = await c.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.resource;
}

async function rename(c: Client, r: Resource, name: string): Promise<Resource> {
  const res = await c.json(`/api/v1/resources/${r.id}`, { method: 'PUT', headers: { 'if-match': `"${r.version}"` }, json: resourceInput({ name }) });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.resource;
}

async function remove(c: Client, r: Resource): Promise<void> {
  const res = await c.fetch(`/api/v1/resources/${r.id}`, { method: 'DELETE', headers: { 'if-match': `"${r.version}"` } });
  expect(res.status).to.equal(204);
}

async function hits(c: Client, q: string): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await c.json(`/api/v1/search?q=${encodeURIComponent(q)}&size=50&page=${page}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    out.push(...res.body.hits.map((h: any) => ({ id: h.id, name: h.name })));
    if (out.length >= res.body.total) return out;
  }
}

async function drift(app: TestApp) {
  const r = await reconcile(app.store, app.search.engine, { dryRun: true });
  return { missing: r.missing.length, extra: r.extra.length, altered: r.altered.length };
}

describe('search faults (embedded engine)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let faulty: FaultyEngine;
  let gaj: Client;
  beforeEach(async () => {
    app = await startApp({ wrapEngine: (e) => (faulty = new FaultyEngine(e)), searchTimeoutMs: 300 });
    gaj = await app.as('gaj');
  });
  afterEach(() => app.close());

  it('F1: index down during 50 creates, 20 updates, 10 deletes: writes succeed, search says so, then reflects all 80 exactly once', async () => {
    faulty.down = true;
    const created: Resource[] = [];
    for (let i = 0; i < 50; i++) created.push(await create(gaj, `故障演练资源${i}号`));
    for (let i = 0; i < 20; i++) created[i] = await rename(gaj, created[i], `故障演练改名${i}号`);
    for (let i = 40; i < 50; i++) await remove(gaj, created[i]);

    const down = await gaj.json(`/api/v1/search?q=${encodeURIComponent('故障演练')}`);
    expect(down.status).to.equal(503);
    expect(down.headers.get('retry-after')).to.match(/^\d+$/);
    expect(down.body.detail_zh).to.equal('检索服务暂不可用,目录登记不受影响,请稍后重试');
    const health = await app.client().json('/health/ready');
    expect(health.status).to.equal(200);
    expect(health.body.status).to.equal('degraded');
    expect(health.body.search).to.include({ ok: false, state: 'unavailable' });

    faulty.down = false;
    await app.settle();
    const found = await hits(gaj, '故障演练');
    expect(found.length).to.equal(40);
    expect(new Set(found.map((h) => h.id)).size).to.equal(40);
    expect(found.filter((h) => h.name.includes('改名')).length).to.equal(20);
    for (const r of created.slice(40)) expect(found.map((h) => h.id)).to.not.include(r.id);
    expect(await drift(app)).to.deep.equal({ missing: 0, extra: 0, altered: 0 });
    // The worker's own loop reports itself healthy at its next pass.
    let status = '';
    for (const t = Date.now(); status !== 'ok' && Date.now() - t < 2000; await new Promise((r) => setTimeout(r, 20))) {
      status = (await app.client().json('/health/ready')).body.status;
    }
    expect(status).to.equal('ok');
  });

  it('F2: a slow index answers 503 with Retry-After within the budget; writes are unaffected', async () => {
    faulty.slowMs = 5000;
    const t = Date.now();
    const res = await gaj.json(`/api/v1/search?q=${encodeURIComponent('人口')}`);
    expect(Date.now() - t).to.be.below(3000);
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('2');
    expect(res.body.detail_zh).to.equal('检索超时,请缩小范围或稍后重试');
    const w = Date.now();
    await create(gaj, '慢索引期间登记');
    expect(Date.now() - w).to.be.below(1000);
    faulty.slowMs = 0;
  });

  it('F3: a partly failed bulk write retries only retryable items and dead-letters the permanent failure', async () => {
    await app.search.sync.stop();
    const a = await create(gaj, '重试后成功的资源');
    const b = await create(gaj, '永久失败的资源');
    const c = await create(gaj, '一次成功的资源');
    faulty.plan.set(a.id, ['retry', 'retry']);
    faulty.plan.set(b.id, ['failed']);
    const attempts = new Map<string, number>();
    const inner = faulty.upsert.bind(faulty);
    faulty.upsert = async (docs) => {
      for (const d of docs) attempts.set(d.id, (attempts.get(d.id) ?? 0) + 1);
      return inner(docs);
    };
    const sync = new IndexSync(app.store, faulty, { baseDelayMs: 5, maxDelayMs: 20 });
    await sync.drain();
    expect([attempts.get(a.id), attempts.get(b.id), attempts.get(c.id)]).to.deep.equal([3, 1, 1]);
    const names = (await hits(gaj, '资源')).map((h) => h.name);
    expect(names).to.include.members(['重试后成功的资源', '一次成功的资源']);
    expect(names).to.not.include('永久失败的资源');

    const admin = await app.as('sysadmin');
    const dead = await admin.json('/api/v1/search/dead-letters');
    expect(dead.status).to.equal(200);
    expect(dead.body.items.map((d: any) => [d.resourceId, d.operation, d.status])).to.deep.equal([[b.id, 'upsert', 'open']]);
    expect(dead.body.items[0].reason).to.include('mapper_parsing_exception');
    expect((await admin.json('/api/v1/search/status')).body).to.include({ deadLetters: 1, state: 'ready' });
    expect((await gaj.json('/api/v1/search/dead-letters')).status).to.equal(403);
    // Reconcile repairs what was dead-lettered.
    const report = await admin.json('/api/v1/search/reconcile', { method: 'POST' });
    expect(report.body.missing).to.deep.equal([b.id]);
    expect((await hits(gaj, '永久失败')).length).to.equal(1);
  });

  it('F4/F7/F8: replayed older versions never replace a newer one or bring back a deleted entry', async () => {
    const r1 = await create(gaj, '版本顺序测试');
    await app.settle();
    const refs = await loadRefs(app.store);
    const v1 = toDocument((await app.store.resources.get(r1.id))!, refs);
    const r2 = await rename(gaj, r1, '版本顺序测试第二版');
    await app.settle();
    expect((await app.search.engine.upsert([v1]))[0].status).to.equal('stale');
    expect((await hits(gaj, '版本顺序测试')).map((h) => h.name)).to.deep.equal(['版本顺序测试第二版']);
    const v2 = toDocument((await app.store.resources.get(r1.id))!, refs);
    await remove(gaj, r2);
    await app.settle();
    expect((await app.search.engine.upsert([v2]))[0].status).to.equal('stale');
    expect((await app.search.engine.upsert([v1]))[0].status).to.equal('stale');
    expect(await hits(gaj, '版本顺序测试')).to.deep.equal([]);
  });

  it('F5/F6: an indexer killed before or after the acknowledgement converges after restart, drift 0', async () => {
    await app.search.sync.stop();
    const before = [await create(gaj, '崩溃前写入甲'), await create(gaj, '崩溃前写入乙')];
    // Killed before the acknowledgement: the write never reached the index.
    faulty.down = true;
    let err: unknown;
    try {
      await new IndexSync(app.store, faulty).runOnce();
    } catch (e) {
      err = e;
    }
    expect(err).to.be.an('error');
    faulty.down = false;
    await new IndexSync(app.store, faulty).drain();
    // Killed after the acknowledgement, before the cursor moved: the batch is replayed.
    await rename(gaj, before[0], '崩溃后改名甲');
    faulty.failNextCursor = true;
    err = undefined;
    try {
      await new IndexSync(app.store, faulty).runOnce();
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.include('killed after');
    const restarted = new IndexSync(app.store, faulty);
    expect(await restarted.backlog()).to.equal(1);
    await restarted.drain();
    expect(await drift(app)).to.deep.equal({ missing: 0, extra: 0, altered: 0 });
    expect((await hits(gaj, '崩溃')).map((h) => h.name).sort()).to.deep.equal(['崩溃前写入乙', '崩溃后改名甲']);
  });

  it('F12: a rebuild under writes and searches never drops the hit count to 0 and keeps every write', async () => {
    const bulk = Array.from({ length: 3000 }, (_, i) => storedResource({ name: `负载底数资源${i}`, nameKey: `load${i}`, code: `101001/${String(10_000 + i)}`, status: 'published' }));
    await app.store.resources.createMany(bulk, SYSTEM);
    await app.settle();
    const staff = await app.as('staff');
    let rebuilding = true;
    const counts: number[] = [];
    const statuses = new Set<number>();
    const written: Resource[] = [];
    const searches = (async () => {
      while (rebuilding) {
        const res = await staff.json(`/api/v1/search?q=${encodeURIComponent('负载底数')}&size=1`);
        statuses.add(res.status);
        counts.push(res.body.total);
      }
    })();
    const writes = (async () => {
      while (rebuilding) written.push(await create(gaj, `重建期间写入${written.length}`));
    })();
    const report = await app.search.rebuild();
    rebuilding = false;
    await Promise.all([searches, writes]);
    expect(report.loaded).to.be.at.least(3000);
    expect(written.length).to.be.greaterThan(0);
    expect(counts.length).to.be.greaterThan(0);
    expect([...statuses]).to.deep.equal([200]);
    expect(Math.min(...counts)).to.equal(3000);
    await app.settle();
    expect((await hits(gaj, '重建期间写入')).length).to.equal(written.length);
    expect(await drift(app)).to.deep.equal({ missing: 0, extra: 0, altered: 0 });
    expect((await app.search.engine.status()).indexName).to.equal(report.indexName);
  });

  it('F14: reconcile does not mistake writes indexed while it runs for drift', async () => {
    const existing = await create(gaj, '对账期间改名前');
    await app.settle();
    let created: Resource | undefined;
    const scan = faulty.scan.bind(faulty);
    faulty.scan = () => {
      // Between reconcile's store pass and its index scan: one record created, one renamed, both indexed.
      const racing = (async function* () {
        created = await create(gaj, '对账期间新登记');
        await rename(gaj, existing, '对账期间改名后');
        await app.settle();
        yield* scan();
      })();
      return racing;
    };
    const report = await reconcile(app.store, faulty, {});
    faulty.scan = scan;
    expect(report).to.deep.include({ missing: [], extra: [], altered: [] });
    await rename(gaj, (await app.store.resources.get(created!.id))!, '对账期间新登记再改名');
    await app.settle();
    expect((await hits(gaj, '对账期间')).map((h) => h.name).sort()).to.deep.equal(['对账期间改名后', '对账期间新登记再改名']);
  });

  it('F14: reconcile repairs documents deleted, added and altered behind the app\'s back, and says what it did', async () => {
    const kept = await create(gaj, '对账保留资源');
    const lost = await create(gaj, '对账丢失资源');
    await app.settle();
    const refs = await loadRefs(app.store);
    const doc = toDocument((await app.store.resources.get(kept.id))!, refs);
    await app.search.engine.upsert([{ ...doc, version: 999, name: '被篡改的名称' }]);
    await app.search.engine.remove([{ id: lost.id, version: 999 }]);
    await app.search.engine.upsert([{ ...doc, id: 'ghost', version: 1, name: '幽灵资源' }]);
    const admin = await app.as('sysadmin');
    const res = await admin.json('/api/v1/search/reconcile', { method: 'POST' });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ repaired: 3 });
    expect(res.body.missing).to.deep.equal([lost.id]);
    expect(res.body.extra).to.deep.equal(['ghost']);
    expect(res.body.altered).to.deep.equal([kept.id]);
    expect((await hits(gaj, '对账')).map((h) => h.name).sort()).to.deep.equal(['对账丢失资源', '对账保留资源']);
    expect(await hits(gaj, '幽灵')).to.deep.equal([]);
    expect((await admin.json('/api/v1/search/reconcile', { method: 'POST' })).body.repaired).to.equal(0);
    // A repaired entry follows later edits again.
    await rename(gaj, kept, '对账后改名资源');
    await app.settle();
    expect((await hits(gaj, '对账后改名')).length).to.equal(1);
    expect((await app.store.audit.list({ action: 'search.reconcile' })).total).to.equal(2);
  });
});

describe('search faults: the index missing at start-up (F13)', function () {
  this.timeout(60_000);

  it('says "rebuilding" instead of answering empty, takes writes without creating an index, then builds it', async () => {
    const app = await startApp({ noIndex: true });
    try {
      const gaj = await app.as('gaj');
      const res = await gaj.json(`/api/v1/search?q=${encodeURIComponent('人口')}`);
      expect(res.status).to.equal(503);
      expect(res.body.detail_zh).to.equal('检索索引正在重建,请稍后重试');
      expect((await app.client().json('/health/ready')).body.search).to.include({ ok: false, state: 'missing' });
      await create(gaj, '索引缺失期间登记');
      await new Promise((r) => setTimeout(r, 200));
      expect((await app.search.engine.status()).state).to.equal('missing');
      const runner = startSearch(app.search, silentLogger, 50);
      try {
        const t = Date.now();
        let found = 0;
        while (Date.now() - t < 5000 && found === 0) {
          const r = await gaj.json(`/api/v1/search?q=${encodeURIComponent('索引缺失期间')}`);
          found = r.status === 200 ? r.body.total : 0;
          if (!found) await new Promise((x) => setTimeout(x, 50));
        }
        expect(found).to.equal(1);
        expect((await app.search.engine.status())).to.include({ state: 'ready', mappingVersion: 1 });
      } finally {
        await runner.stop();
      }
    } finally {
      await app.close();
    }
  });
});

describe('search maintenance commands', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'reindex-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (script: string, ...args: string[]) => spawnSync('npx', ['tsx', 'server/cli/search.ts', script, ...args], {
    env: { ...process.env, DATA_DIR: dir, NODE_ENV: 'development', DEMO: 'false' }, encoding: 'utf8',
  });

  it('npm run reindex builds the index with progress; npm run reconcile reports and repairs drift', async () => {
    const seeded = spawnSync('npx', ['tsx', 'server/cli/seed.ts'], { env: { ...process.env, DATA_DIR: dir, NODE_ENV: 'development' }, encoding: 'utf8' });
    expect(seeded.status, seeded.stderr).to.equal(0);
    const first = run('reindex');
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include('index: missing');
    expect(first.stdout).to.match(/rebuilding: █+ 351\/351/);
    expect(first.stdout).to.match(/built catalog-resources-v1-\w+ with 351 documents/);
    const second = run('reindex');
    expect(second.stdout).to.match(/index: ready \(catalog-resources-v1-\w+, 351 documents\)/);
    expect(second.stdout).to.match(/removed/);
    const check = run('reconcile', '--dry-run');
    expect(check.status, check.stderr).to.equal(0);
    expect(check.stdout).to.include('missing from the index: 0');
    expect(check.stdout).to.include('dry run: nothing repaired');
  });
});
