import { expect } from 'chai';
import { type TestApp, startApp } from '../support/harness.ts';
import { resourceInput } from '../support/fixtures.ts';

describe('HTTP: catalog entries', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.close());

  it('registers an entry as a draft with a generated code, reads it by id and by code, and lists it', async () => {
    const gaj = await app.as('gaj');
    const created = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() });
    expect(created.status).to.equal(201);
    const r = created.body.resource;
    expect(r.code).to.equal('101001/00001');
    expect(r).to.include({ status: 'draft', version: 1, name: '常住人口基本信息' });
    expect(r.provider).to.include({ agencyId: 'ag-gaj', name: '杭州市公安局' });
    expect(r.provider.code).to.match(/^11330100\d{9}[0-9A-Z]$/);
    expect(r).not.to.have.property('nameKey');
    expect(created.headers.get('etag')).to.equal('"1"');

    expect((await gaj.json(`/api/v1/resources/${r.id}`)).body.code).to.equal(r.code);
    expect((await gaj.json('/api/v1/resources/by-code/101001%2F00001')).body.id).to.equal(r.id);
    expect((await gaj.json('/api/v1/resources/by-code/101001-00001')).body.id).to.equal(r.id);
    const list = await gaj.json('/api/v1/resources?agency=ag-gaj&status=draft');
    expect(list.body.total).to.equal(1);
    expect(list.body.items[0].id).to.equal(r.id);
  });

  it('updates only from the version the editor read: 409 for a stale one, 400 without one, and keeps history', async () => {
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    const ok = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ name: '常住人口信息(更新)' }), version: 1 } });
    expect(ok.status).to.equal(200);
    expect(ok.body.resource.version).to.equal(2);
    const stale = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ name: '过期' }), version: 1 } });
    expect(stale.status).to.equal(409);
    expect(stale.body.currentVersion).to.equal(2);
    const viaHeader = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', headers: { 'if-match': '"2"' }, json: resourceInput({ name: '第三版' }) });
    expect(viaHeader.status).to.equal(200);
    const missing = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: resourceInput() });
    expect(missing.status).to.equal(400);
    const h = await gaj.json(`/api/v1/resources/${r.id}/history`);
    expect(h.body.items.map((e: { version: number }) => e.version)).to.deep.equal([1, 2, 3]);
    expect(h.body.items[1].changes).to.deep.include({ path: '/name', from: '常住人口基本信息', to: '常住人口信息(更新)' });
    expect(h.body.items[1].actor).to.equal('gaj');
  });

  it('soft-deletes a draft: gone from reads and lists, history kept, its code number never handed out again', async () => {
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    expect((await gaj.json(`/api/v1/resources/${r.id}?version=1`, { method: 'DELETE' })).status).to.equal(204);
    expect((await gaj.json(`/api/v1/resources/${r.id}`)).status).to.equal(404);
    expect((await gaj.json('/api/v1/resources?agency=ag-gaj')).body.total).to.equal(0);
    expect((await app.store.resources.history(r.id)).map((e) => e.action)).to.deep.equal(['create', 'delete']);
    const again = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() });
    expect(again.body.resource.code).to.equal('101001/00002');
  });

  it('moves the code to the new node when an unpublished entry is reclassified; a published one changes only through a revision', async () => {
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    const moved = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ classification: { classCode: '1', itemCode: '01', entryCode: '002' } }), version: 1 } });
    expect(moved.body.resource.code).to.equal('101002/00001');
    const stored = (await app.store.resources.get(r.id))!;
    await app.store.resources.update(r.id, { ...stored, status: 'published', publishedAt: new Date().toISOString() }, stored.version, { userId: 's', username: 's' });
    // A published entry is no longer the steward's to edit in place (that would bypass review): an edit becomes a
    // revision, and the published version stays as it was.
    const revised = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ classification: { classCode: '1', itemCode: '01', entryCode: '002' }, sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '接口' } } }), version: stored.version + 1 } });
    expect(revised.status, JSON.stringify(revised.body)).to.equal(200);
    expect(revised.body.resource.revision.content.sharing.type).to.equal('无条件共享');
    expect((await app.store.resources.get(r.id))!.sharing.type).to.equal('有条件共享');
    // Its classification (and so its code) is fixed.
    const moved2 = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput(), version: revised.body.resource.version } });
    expect(moved2.status).to.equal(422);
    expect(moved2.body.errors[0].pointer).to.equal('/classification');
    expect((await app.store.resources.get(r.id))!.code).to.equal('101002/00001');
  });

  it('answers 422 with every field error at once, in Chinese and English, and stores nothing', async () => {
    const gaj = await app.as('gaj');
    const res = await gaj.json('/api/v1/resources', {
      method: 'POST',
      json: { name: '', provider: { agencyId: 'ag-gaj' }, format: { category: '数据库', type: 'pdf' }, sharing: { type: '不予共享', method: { category: '邮件' } }, openness: { isOpen: true }, secrecy: '非涉密' },
    });
    expect(res.status).to.equal(422);
    expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).to.include.members(['/classification', '/name', '/abstract', '/format/type', '/sharing/basis', '/sharing/method', '/openness/condition', '/updateCycle', '/dataItems']);
    for (const e of res.body.errors) {
      expect(e.code).to.be.a('string');
      expect(e.message.zh).to.match(/[\u4e00-\u9fff]/);
      expect(e.message.en).to.match(/[a-z]/);
    }
    expect(await app.store.resources.count()).to.equal(0);
  });

  it('refuses a duplicate name within one provider (after folding width and punctuation) but allows it for another', async () => {
    const gaj = await app.as('gaj');
    await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '常住人口基本信息' }) });
    const dup = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: ' 常住人口·基本信息 ' }) });
    expect(dup.status).to.equal(422);
    expect(dup.body.errors[0]).to.include({ pointer: '/name', code: 'duplicate_name' });
    const gsj = await app.as('gsj');
    const other = await gsj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ provider: { agencyId: 'ag-gsj' } }) });
    expect(other.status).to.equal(201);
  });

  it('maps the founding document\'s 完全共享/部分共享 to the national values', async () => {
    const gaj = await app.as('gaj');
    const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ sharing: { type: '部分共享' as never, condition: '限身份核验', method: { category: '共享平台方式', type: '接口' } } }) });
    expect(res.body.resource.sharing.type).to.equal('有条件共享');
  });

  it('lets stewards write only their own agency\'s entries, and nobody else write at all', async () => {
    const gsj = await app.as('gsj');
    const foreign = await gsj.json('/api/v1/resources', { method: 'POST', json: resourceInput() });
    expect(foreign.status).to.equal(403);
    for (const who of ['staff', 'reviewer', 'office', 'leader', 'sysadmin'] as const) {
      const c = await app.as(who);
      expect((await c.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).status, who).to.equal(403);
    }
    expect((await app.client().json('/api/v1/resources', { method: 'POST', json: resourceInput() })).status).to.equal(401);
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    // The draft of another agency does not exist for a steward of gsj: 404, not 403.
    expect((await gsj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput(), version: 1 } })).status).to.equal(404);
    const moved = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ provider: { agencyId: 'ag-gsj' } }), version: 1 } });
    expect(moved.status).to.equal(403);
    expect(await app.store.resources.count()).to.equal(1);
  });

  it('shows drafts only to their own stewards and the reviewing bodies; the public sees published open entries without contacts', async () => {
    const gaj = await app.as('gaj');
    const draft = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    const pub = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '公开数据', openness: { isOpen: true, condition: '无' }, contact: { name: '王敏', phone: '0571-87000000' }, sourceSystem: '人口库' }) })).body.resource;
    const stored = (await app.store.resources.get(pub.id))!;
    await app.store.resources.update(pub.id, { ...stored, status: 'published' }, 1, { userId: 's', username: 's' });

    for (const who of ['gsj', 'staff', 'leader'] as const) {
      const c = await app.as(who);
      expect((await c.json(`/api/v1/resources/${draft.id}`)).status, who).to.equal(404);
      const list = await c.json('/api/v1/resources');
      expect(list.body.total, who).to.equal(1);
    }
    for (const who of ['reviewer', 'office'] as const) {
      expect((await (await app.as(who)).json(`/api/v1/resources/${draft.id}`)).status, who).to.equal(200);
    }
    const anon = app.client();
    expect((await anon.json(`/api/v1/resources/${draft.id}`)).status).to.equal(404);
    const seen = await anon.json(`/api/v1/resources/${pub.id}`);
    expect(seen.status).to.equal(200);
    expect(seen.body).not.to.have.any.keys('contact', 'sourceSystem', 'census', 'createdBy');
    expect((await anon.json('/api/v1/resources')).body.total).to.equal(1);
    expect((await (await app.as('gsj')).json(`/api/v1/resources/${pub.id}/history`)).status).to.equal(404);
  });

  it('filters lists by agency (with sub-agencies), classification, share type and paging, with a bounded page size', async () => {
    const gaj = await app.as('gaj');
    for (let i = 0; i < 3; i++) await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: `资源${i}` }) });
    await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '无条件', sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '数据库' } } }) });
    const office = await app.as('office');
    expect((await office.json('/api/v1/resources?shareType=无条件共享')).body.total).to.equal(1);
    expect((await office.json('/api/v1/resources?class=101')).body.total).to.equal(4);
    expect((await office.json('/api/v1/resources?class=2')).body.total).to.equal(0);
    const page = await office.json('/api/v1/resources?limit=2&offset=2&sort=name');
    expect(page.body).to.include({ total: 4, offset: 2, limit: 2 });
    expect(page.body.items).to.have.length(2);
    const tooMany = await office.json('/api/v1/resources?limit=10000');
    expect(tooMany.status).to.equal(400);
    expect(tooMany.body.errors[0]).to.include({ pointer: '/query/limit', code: 'range' });
    expect((await office.json('/api/v1/resources?agency=ag-city')).body.total).to.equal(4);
  });
});
