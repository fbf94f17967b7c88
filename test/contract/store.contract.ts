// The store contract: every adapter of the Store port must pass this suite unchanged.

import { expect } from 'chai';
import { verifyChain } from '../../server/domain/audit.ts';
import { ConflictError, UniqueViolation } from '../../server/domain/errors.ts';
import type { Store, WriteOptions } from '../../server/ports/store.ts';
import { SYSTEM, TEST_AUDIT_KEY, storedResource } from '../support/fixtures.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function storeContract(makeStore: () => Promise<Store>): void {
  let store: Store;
  beforeEach(async () => {
    store = await makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('versioned writes', () => {
    it('creates at version 1 and reads back by id and by a unique path', async () => {
      const r = await store.resources.create(storedResource({ code: '101001/00001', version: 7 }), SYSTEM);
      expect(r.version).to.equal(1);
      expect((await store.resources.get(r.id))?.name).to.equal('常住人口基本信息');
      expect((await store.resources.getBy('code', '101001/00001'))?.id).to.equal(r.id);
      expect(await store.resources.get('nope')).to.equal(undefined);
    });

    it('updates only from the current version; a stale version gets ConflictError and changes nothing', async () => {
      const r = await store.resources.create(storedResource(), SYSTEM);
      const u = await store.resources.update(r.id, { ...r, name: '新名称' }, 1, SYSTEM);
      expect(u.version).to.equal(2);
      let err: unknown;
      try {
        await store.resources.update(r.id, { ...r, name: '过期写入' }, 1, SYSTEM);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ConflictError);
      expect((err as ConflictError).currentVersion).to.equal(2);
      expect((await store.resources.get(r.id))?.name).to.equal('新名称');
    });

    it('keeps every change as history: who, when, what', async () => {
      const r = await store.resources.create(storedResource(), SYSTEM);
      await store.resources.update(r.id, { ...r, name: '改名', abstract: '新摘要' }, 1, { userId: 'u2', username: 'steward2' });
      const h = await store.resources.history(r.id);
      expect(h.map((e) => e.action)).to.deep.equal(['create', 'update']);
      expect(h[1].actor).to.equal('steward2');
      expect(h[1].version).to.equal(2);
      expect(Date.parse(h[1].at)).to.be.greaterThan(0);
      expect(h[1].changes).to.deep.include({ path: '/name', from: '常住人口基本信息', to: '改名' });
      expect(h[1].changes.map((c) => c.path)).to.include('/abstract');
    });

    it('deletes softly: the tombstone is gone from reads and lists, its history stays, a stale delete conflicts', async () => {
      const r = await store.resources.create(storedResource(), SYSTEM);
      let err: unknown;
      try {
        await store.resources.remove(r.id, 5, SYSTEM);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ConflictError);
      await store.resources.remove(r.id, 1, SYSTEM);
      expect(await store.resources.get(r.id)).to.equal(undefined);
      expect((await store.resources.list({})).total).to.equal(0);
      expect((await store.resources.history(r.id)).map((e) => e.action)).to.deep.equal(['create', 'delete']);
      const changed = await store.resources.changedSince(undefined, 10);
      expect(changed.items.find((x) => x.id === r.id)?.deleted).to.equal(true);
    });
  });

  describe('unique keys', () => {
    it('refuses a second live document with the same code, and a same-named entry of the same provider', async () => {
      await store.resources.create(storedResource({ code: '101001/00001', nameKey: 'k' }), SYSTEM);
      for (const dup of [storedResource({ code: '101001/00001' }), storedResource({ nameKey: 'k' })]) {
        let err: unknown;
        try {
          await store.resources.create(dup, SYSTEM);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(UniqueViolation);
      }
      await store.resources.create(storedResource({ nameKey: 'k', provider: { agencyId: 'ag-other', code: 'x', name: 'y' } }), SYSTEM);
    });

    it('frees a name after its entry is deleted', async () => {
      const r = await store.resources.create(storedResource({ nameKey: 'k' }), SYSTEM);
      await store.resources.remove(r.id, 1, SYSTEM);
      await store.resources.create(storedResource({ nameKey: 'k' }), SYSTEM);
    });

    it('creates many all-or-nothing', async () => {
      const batch = [storedResource({ code: '101001/00001' }), storedResource({ code: '101001/00002' }), storedResource({ code: '101001/00001' })];
      let err: unknown;
      try {
        await store.resources.createMany(batch, SYSTEM);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(UniqueViolation);
      expect(await store.resources.count()).to.equal(0);
      await store.resources.createMany(batch.slice(0, 2), SYSTEM);
      expect(await store.resources.count()).to.equal(2);
    });
  });

  describe('queries', () => {
    beforeEach(async () => {
      const rows = [
        storedResource({ code: '101001/00001', name: '甲', status: 'published', provider: { agencyId: 'a1', code: 'c', name: 'n' }, classNode: '101001', authorityItems: ['公民身份号码'] }),
        storedResource({ code: '102001/00001', name: '乙', status: 'draft', provider: { agencyId: 'a1', code: 'c', name: 'n' }, classNode: '102001' }),
        storedResource({ code: '307016/00001', name: '丙', status: 'published', provider: { agencyId: 'a2', code: 'c', name: 'n' }, classNode: '307016', openness: { isOpen: true, condition: '无' } }),
      ];
      await store.resources.createMany(rows, SYSTEM);
    });

    it('filters by equality, membership, prefix, and/or, and array membership', async () => {
      const names = async (where: Parameters<Store['resources']['list']>[0]['where']) =>
        (await store.resources.list({ where, sort: [{ path: 'code', dir: 'asc' }] })).items.map((r) => r.name);
      expect(await names({ path: 'status', eq: 'published' })).to.deep.equal(['甲', '丙']);
      expect(await names({ path: 'provider.agencyId', in: ['a2', 'zz'] })).to.deep.equal(['丙']);
      expect(await names({ path: 'classNode', prefix: '10' })).to.deep.equal(['甲', '乙']);
      expect(await names({ path: 'openness.isOpen', eq: true })).to.deep.equal(['丙']);
      expect(await names({ or: [{ path: 'status', eq: 'published' }, { path: 'provider.agencyId', eq: 'a1' }] })).to.deep.equal(['甲', '乙', '丙']);
      expect(await names({ and: [{ path: 'status', eq: 'published' }, { path: 'provider.agencyId', eq: 'a1' }] })).to.deep.equal(['甲']);
      expect(await names({ path: 'authorityItems', in: ['公民身份号码', '姓名'] })).to.deep.equal(['甲']);
      expect(await names({ path: 'provider.agencyId', in: [] })).to.deep.equal([]);
    });

    it('sorts, pages and counts the total', async () => {
      const p = await store.resources.list({ sort: [{ path: 'code', dir: 'desc' }], offset: 1, limit: 1 });
      expect(p.total).to.equal(3);
      expect(p.items.map((r) => r.code)).to.deep.equal(['102001/00001']);
      expect(await store.resources.count({ path: 'status', eq: 'draft' })).to.equal(1);
    });

    it('refuses to filter or sort on a path that is not indexed', async () => {
      for (const q of [{ where: { path: 'contact.phone', eq: 'x' } }, { sort: [{ path: 'abstract', dir: 'asc' as const }] }]) {
        let err: unknown;
        try {
          await store.resources.list(q);
        } catch (e) {
          err = e;
        }
        expect(err, JSON.stringify(q)).to.be.instanceOf(Error);
      }
    });

    it('lists changes after a cursor in write order', async () => {
      const first = await store.resources.changedSince(undefined, 2);
      expect(first.items.map((r) => r.name)).to.deep.equal(['甲', '乙']);
      const rest = await store.resources.changedSince(first.cursor, 10);
      expect(rest.items.map((r) => r.name)).to.deep.equal(['丙']);
      const a = await store.resources.getBy('code', '101001/00001');
      await store.resources.update(a!.id, { ...a!, name: '甲2' }, 1, SYSTEM);
      const again = await store.resources.changedSince(rest.cursor, 10);
      expect(again.items.map((r) => r.name)).to.deep.equal(['甲2']);
    });
  });

  describe('code sequences', () => {
    it('counts per node and never hands out a number twice, even after deletes', async () => {
      expect(await store.resources.nextSequence('101001')).to.equal(1);
      expect(await store.resources.nextSequence('101001')).to.equal(2);
      expect(await store.resources.nextSequence('102')).to.equal(1);
      const r = await store.resources.create(storedResource(), SYSTEM);
      await store.resources.remove(r.id, 1, SYSTEM);
      expect(await store.resources.nextSequence('101001')).to.equal(3);
    });

    it('hands out distinct numbers to concurrent callers', async () => {
      const got = await Promise.all(Array.from({ length: 20 }, () => store.resources.nextSequence('2')));
      expect(new Set(got).size).to.equal(20);
    });
  });

  describe('sessions', () => {
    it('stores, expires and destroys sessions', async () => {
      await store.sessions.set('s1', { data: '{"a":1}', expiresAt: Date.now() + 60_000 });
      await store.sessions.set('s2', { data: '{}', expiresAt: Date.now() - 1 });
      expect((await store.sessions.get('s1'))?.data).to.equal('{"a":1}');
      expect(await store.sessions.get('s2')).to.equal(undefined);
      expect(await store.sessions.count(Date.now())).to.equal(1);
      expect(await store.sessions.prune(Date.now())).to.be.at.least(1);
      await store.sessions.destroy('s1');
      expect(await store.sessions.get('s1')).to.equal(undefined);
    });
  });

  describe('audit log', () => {
    it('chains every entry to the previous one under the key', async () => {
      for (let i = 0; i < 5; i++) await store.audit.append({ actor: 'a', action: `x.${i}`, outcome: 'success' });
      const page = await store.audit.list({ limit: 2 });
      expect(page.total).to.equal(5);
      expect(page.items[0].action).to.equal('x.4');
      const head = await store.audit.head();
      expect(head?.seq).to.equal(5);
      expect(await verifyChain(store.audit.records(), TEST_AUDIT_KEY)).to.deep.equal({ ok: true, checked: 5, head });
      // Under another key the same records prove nothing.
      expect((await verifyChain(store.audit.records(), Buffer.from('another-key-of-at-least-32-characters'))).ok).to.equal(false);
      expect((await collect(store.audit.records(4))).map((r) => r.seq)).to.deep.equal([4, 5]);
    });

    it('appends a write\'s record in the write\'s own transaction: both or neither', async () => {
      const opts: WriteOptions = { audit: { actor: 'a', action: 'resource.create', outcome: 'success' } };
      const r = await store.resources.create(storedResource(), SYSTEM, opts);
      expect(opts.appended?.seq).to.equal(1);
      const stale: WriteOptions = { audit: { actor: 'a', action: 'resource.update', outcome: 'success' } };
      let err: unknown;
      try {
        await store.resources.update(r.id, { ...r, name: '过期写入' }, 7, SYSTEM, stale);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(ConflictError);
      expect(stale.appended).to.equal(undefined);
      await store.resources.remove(r.id, 1, SYSTEM, { audit: { actor: 'a', action: 'resource.delete', outcome: 'success' } });
      expect((await collect(store.audit.records())).map((x) => x.action)).to.deep.equal(['resource.create', 'resource.delete']);
    });

    it('F21: 50 audited writes at once all land, each with its record, and the chain has no fork and no gap', async () => {
      const docs = await store.resources.createMany(Array.from({ length: 25 }, (_, i) => storedResource({ code: `101001/${String(i + 1).padStart(5, '0')}` })), SYSTEM);
      const writes = [
        ...docs.map((d, i) => store.resources.update(d.id, { ...d, name: `改名 ${i}` }, 1, SYSTEM, { audit: { actor: 'a', action: 'resource.update', object: d.id, outcome: 'success' } })),
        ...Array.from({ length: 20 }, (_, i) => store.calendar.create({ id: `day-2027-01-${String(i + 1).padStart(2, '0')}`, version: 1, date: `2027-01-${String(i + 1).padStart(2, '0')}`, kind: 'holiday', name: '测试' }, SYSTEM, { audit: { actor: 'b', action: 'calendar.set', outcome: 'success' } })),
        ...Array.from({ length: 5 }, (_, i) => store.audit.append({ actor: 'c', action: `login.${i}`, outcome: 'success' })),
      ];
      const results = await Promise.allSettled(writes);
      expect(results.filter((x) => x.status === 'rejected').map((x) => String((x as PromiseRejectedResult).reason))).to.deep.equal([]);
      const records = await collect(store.audit.records());
      expect(records.map((r) => r.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await verifyChain(store.audit.records(), TEST_AUDIT_KEY)).ok).to.equal(true);
      expect(records.filter((r) => r.action === 'resource.update').map((r) => r.object).sort()).to.deep.equal(docs.map((d) => d.id).sort());
    });
  });

  describe('derived ids', () => {
    it('lets a create reuse a deleted document\'s id, its version carrying on after the tombstone', async () => {
      const day = { id: 'day-2027-10-01', version: 1, date: '2027-10-01', kind: 'holiday' as const, name: '国庆节' };
      await store.calendar.create(day, SYSTEM);
      await store.calendar.remove(day.id, 1, SYSTEM);
      const again = await store.calendar.create({ ...day, name: '国庆节(调整)' }, SYSTEM);
      expect(again.version).to.equal(3);
      expect((await store.calendar.get(day.id))?.name).to.equal('国庆节(调整)');
      expect((await store.calendar.history(day.id)).map((h) => [h.action, h.version])).to.deep.equal([['create', 1], ['delete', 2], ['create', 3]]);
      let err: unknown;
      try {
        await store.calendar.create(day, SYSTEM);
      } catch (e) {
        err = e;
      }
      expect(err, 'a live id is still unique').to.be.instanceOf(UniqueViolation);
      const changed = await store.calendar.changedSince(undefined, 10);
      expect(changed.items.filter((x) => x.id === day.id).map((x) => [x.version, !!x.deleted])).to.deep.equal([[3, false]]);
    });
  });

  describe('idempotency keys', () => {
    const rec = (id: string, createdAt = '2026-12-01T00:00:00.000Z', fingerprint = 'f1') => ({ id, fingerprint, state: 'pending' as const, createdAt });
    it('claims a key once, answers the record to a second claim, and frees it when forgotten or pruned', async () => {
      expect(await store.idempotency.claim(rec('k1'), '2026-11-30T00:00:00.000Z')).to.equal(undefined);
      expect(await store.idempotency.claim(rec('k1', '2026-12-01T00:00:01.000Z', 'f2'), '2026-11-30T00:00:00.000Z')).to.deep.include({ state: 'pending', fingerprint: 'f1' });
      await store.idempotency.finish('k1', 201, '{"id":"x"}');
      expect(await store.idempotency.claim(rec('k1'), '2026-11-30T00:00:00.000Z')).to.deep.include({ state: 'done', status: 201, body: '{"id":"x"}' });
      await store.idempotency.forget('k1');
      expect(await store.idempotency.claim(rec('k1'), '2026-11-30T00:00:00.000Z'), 'forgotten: free again').to.equal(undefined);
      // A record older than the keeping window is taken over by the next claim.
      expect(await store.idempotency.claim(rec('k1', '2026-12-03T00:00:00.000Z', 'f3'), '2026-12-02T00:00:00.000Z')).to.equal(undefined);
      expect(await store.idempotency.prune('2026-12-04T00:00:00.000Z')).to.equal(1);
      expect(await store.idempotency.claim(rec('k1'), '2026-11-30T00:00:00.000Z'), 'pruned: free again').to.equal(undefined);
    });

    it('lets exactly one of two simultaneous claims win', async () => {
      const both = await Promise.all([store.idempotency.claim(rec('k2'), '2026-11-30T00:00:00.000Z'), store.idempotency.claim(rec('k2'), '2026-11-30T00:00:00.000Z')]);
      expect(both.filter((x) => x === undefined)).to.have.length(1);
    });
  });

  it('answers ping when healthy', async () => {
    await store.ping();
  });

  it('refreshes its query statistics without changing what queries answer', async () => {
    const before = await store.resources.list({ where: { path: 'status', eq: 'published' } });
    await store.maintain();
    expect(await store.resources.list({ where: { path: 'status', eq: 'published' } })).to.deep.equal(before);
  });
}
