// Catalog publication through the API (workflows.md A): the steward submits, 市信息办 accepts, the review authority
// approves or returns with a reason, 市信息办 batches approved entries and submits the batch, the city government
// (the city government's approver) approves it and the entries are published, searchable by everyone.

import { expect } from 'chai';
import { publicationMachine } from '../../server/domain/workflow/publication.ts';
import { step } from '../../server/domain/workflow/machine.ts';
import { type Client, type TestApp, startApp } from '../support/harness.ts';
import { resourceInput } from '../support/fixtures.ts';
import { batchStep, stepOn } from '../support/workflow.ts';

describe('HTTP: catalog publication', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.close());

  async function approvedEntry(name: string): Promise<string> {
    const [gaj, office, reviewer] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) })).body.resource;
    expect((await stepOn(gaj, r.id, 'submit')).body.status).to.equal('submitted');
    expect((await stepOn(office, r.id, 'accept')).body.status).to.equal('under_review');
    expect((await stepOn(reviewer, r.id, 'approve')).body.status).to.equal('approved');
    return r.id;
  }

  it('takes entries from draft to published through review and a numbered batch, and then everyone finds them', async () => {
    const [office, leader, gaj] = [await app.as('office'), await app.as('approver'), await app.as('gaj')];
    const a = await approvedEntry('常住人口基本信息');
    const b = await approvedEntry('暂住人口登记信息');
    const created = await office.json('/api/v1/batches', { method: 'POST', json: { resources: [a, b] } });
    expect(created.status).to.equal(201);
    expect(created.body.number).to.match(/^PC\d{4}-000001$/);
    expect(created.body.skipped).to.deep.equal([]);
    expect((await gaj.json(`/api/v1/resources/${a}`)).body.status).to.equal('in_batch');
    expect((await batchStep(office, created.body.id, 'submit')).body.state).to.equal('submitted');
    expect((await gaj.json(`/api/v1/resources/${b}`)).body.status).to.equal('batch_submitted');
    // Only the city government decides on a batch.
    expect((await batchStep(office, created.body.id, 'approve')).status).to.equal(403);
    const approved = await batchStep(leader, created.body.id, 'approve');
    expect(approved.body.state).to.equal('approved');
    const entry = (await gaj.json(`/api/v1/resources/${a}`)).body;
    expect(entry.status).to.equal('published');
    expect(entry.publishedAt).to.be.a('string');
    expect(entry.review.steps.map((s: { event: string }) => s.event)).to.deep.equal(['submit', 'accept', 'approve', 'batch', 'submit_batch', 'publish']);
    expect(entry.review.steps.at(-1)).to.include({ by: 'approver', batchNumber: created.body.number });
    await app.settle();
    const found = await (await app.as('staff')).json(`/api/v1/search?q=${encodeURIComponent('暂住人口登记信息')}`);
    expect(found.body.hits.map((h: { id: string }) => h.id)).to.include(b);
  });

  it('a returned entry carries its reason back to the steward, who edits it and resubmits', async () => {
    const [gaj, office, reviewer] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    await stepOn(gaj, r.id, 'submit');
    await stepOn(office, r.id, 'accept');
    const bare = await stepOn(reviewer, r.id, 'return');
    expect(bare.status).to.equal(422);
    expect(bare.body.errors[0]).to.deep.include({ pointer: '/reason' });
    const returned = await stepOn(reviewer, r.id, 'return', { reason: '摘要未写明数据范围' });
    expect(returned.body).to.deep.include({ status: 'returned' });
    expect(returned.body.review.returnReason).to.equal('摘要未写明数据范围');
    const edited = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ abstract: '全市常住人口(不含暂住)的身份与户籍信息。' }), version: returned.body.version } });
    expect(edited.status).to.equal(200);
    expect((await stepOn(gaj, r.id, 'resubmit')).body.status).to.equal('submitted');
  });

  it('a rejected batch sends its entries back to approved; withdrawal of a published entry needs a reason', async () => {
    const [office, leader, gaj] = [await app.as('office'), await app.as('approver'), await app.as('gaj')];
    const a = await approvedEntry('常住人口基本信息');
    const batch = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [a] } })).body;
    await batchStep(office, batch.id, 'submit');
    expect((await batchStep(leader, batch.id, 'reject')).status).to.equal(422);
    expect((await batchStep(leader, batch.id, 'reject', { reason: '请与户籍信息合并发布' })).body.state).to.equal('rejected');
    expect((await gaj.json(`/api/v1/resources/${a}`)).body.status).to.equal('approved');
    const again = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [a] } })).body;
    await batchStep(office, again.id, 'submit');
    await batchStep(leader, again.id, 'approve');
    expect((await stepOn(office, a, 'withdraw')).status).to.equal(422);
    expect((await stepOn(office, a, 'withdraw', { reason: '数据已停止采集' })).body.status).to.equal('withdrawn');
  });

  it('refuses wrong actors (403), impossible steps and stale versions (409), and batches of unapproved entries (422)', async () => {
    const [gaj, gsj, office, reviewer] = [await app.as('gaj'), await app.as('gsj'), await app.as('office'), await app.as('reviewer')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    expect((await stepOn(office, r.id, 'submit')).status).to.equal(403);
    // Another agency's draft does not exist for it.
    expect((await gsj.json(`/api/v1/resources/${r.id}/steps`, { method: 'POST', json: { event: 'submit', version: r.version } })).status).to.equal(404);
    expect((await stepOn(reviewer, r.id, 'approve')).status).to.equal(409);
    expect((await gaj.json(`/api/v1/resources/${r.id}/steps`, { method: 'POST', json: { event: 'submit', version: 99 } })).status).to.equal(409);
    expect((await office.json('/api/v1/batches', { method: 'POST', json: { resources: [r.id] } })).status).to.equal(422);
    // The table agrees: a steward cannot approve their own entry.
    expect(step(publicationMachine, 'under_review', 'approve', { parties: new Set(['steward']), kind: 'entry', fields: {} }).ok).to.equal(false);
  });

  it('runs through the pages too: each person sees only their own step, the batch page is its printable list', async () => {
    const [gaj, office, reviewer, leader] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer'), await app.as('approver')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    const page = async (c: Client, path: string) => (await c.fetch(path, { headers: { accept: 'text/html' } })).text();
    const pressOn = async (c: Client, event: string) => {
      const version = String((await c.json(`/api/v1/resources/${r.id}`)).body.version);
      const res = await c.form(`/resources/${r.id}/steps`, { event, version }, `/resources/${r.id}`);
      expect(res.status).to.equal(303);
    };
    expect(await page(gaj, `/resources/${r.id}`)).to.contain('提交审查').and.not.contain('审查通过</button>');
    await pressOn(gaj, 'submit');
    expect(await page(office, `/resources/${r.id}`)).to.contain('受理</button>');
    await pressOn(office, 'accept');
    expect(await page(reviewer, `/resources/${r.id}`)).to.contain('审查通过</button>');
    await pressOn(reviewer, 'approve');
    const list = await page(office, '/batches');
    expect(list).to.contain(r.code);
    const made = await office.form('/batches', { resources: r.id }, '/batches');
    expect(made.status).to.equal(303);
    const batchPath = made.headers.get('location')!;
    const batchPage = await page(office, batchPath);
    expect(batchPage).to.contain('发布批次清单').and.contain(r.code).and.contain('报市政府</button>');
    const batchId = batchPath.split('/').pop()!;
    const step = async (c: Client, event: string) => {
      const version = String((await c.json(`/api/v1/batches/${batchId}`)).body.version);
      expect((await c.form(`${batchPath}/steps`, { event, version }, batchPath)).status).to.equal(303);
    };
    await step(office, 'submit');
    expect(await page(leader, batchPath)).to.contain('批准发布</button>');
    await step(leader, 'approve');
    expect((await gaj.json(`/api/v1/resources/${r.id}`)).body.status).to.equal('published');
    expect(await page(gaj, `/resources/${r.id}`)).to.contain('审查发布记录').and.contain('批准发布');
  });

  it('a steward refers "may this be shared?" to the review authority, whose answer stays on the entry', async () => {
    const [gaj, reviewer, gsj] = [await app.as('gaj'), await app.as('reviewer'), await app.as('gsj')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    expect((await gaj.json(`/api/v1/resources/${r.id}/referrals`, { method: 'POST', json: { version: r.version } })).status).to.equal(422);
    const asked = await gaj.json(`/api/v1/resources/${r.id}/referrals`, { method: 'POST', json: { question: '婚姻状况能否列为有条件共享?', version: r.version } });
    expect(asked.status).to.equal(201);
    expect(asked.body.referrals[0]).to.include({ id: 'q1', askedBy: 'gaj' });
    expect((await reviewer.json('/api/v1/notifications')).body.items.map((n: { body: string }) => n.body)).to.include('婚姻状况能否列为有条件共享?');
    expect((await reviewer.json('/api/v1/dashboard')).body.referrals.map((x: { id: string }) => x.id)).to.include(r.id);
    const v = asked.body.version;
    expect((await gsj.json(`/api/v1/resources/${r.id}/referrals/q1/answer`, { method: 'POST', json: { answer: 'x', version: v } })).status).to.equal(403);
    const answered = await reviewer.json(`/api/v1/resources/${r.id}/referrals/q1/answer`, { method: 'POST', json: { answer: '可以,须限定用途', version: v } });
    expect(answered.body.referrals[0]).to.include({ answer: '可以,须限定用途', answeredBy: 'reviewer' });
    expect((await reviewer.json(`/api/v1/resources/${r.id}/referrals/q1/answer`, { method: 'POST', json: { answer: '再答', version: answered.body.version } })).status).to.equal(409);
    const page = await (await gaj.fetch(`/resources/${r.id}`, { headers: { accept: 'text/html' } })).text();
    expect(page).to.contain('可以,须限定用途');
  });

  it('a published entry past its update cycle is flagged stale on the provider\'s dashboard until confirmed current', async () => {
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ updateCycle: '每月' }) })).body.resource;
    const stored = (await app.store.resources.get(r.id))!;
    // Published two months ago and not touched since (written straight to the store: time passing).
    const old = new Date(Date.now() - 62 * 86_400_000).toISOString();
    await app.store.resources.update(r.id, { ...stored, status: 'published', publishedAt: old, updatedAt: old }, stored.version, { userId: 'u', username: 'clock' });
    const fixed = (await app.store.resources.get(r.id))!;
    await app.store.resources.update(r.id, { ...fixed, updatedAt: old }, fixed.version, { userId: 'u', username: 'clock' });
    const dash = (await gaj.json('/api/v1/dashboard')).body;
    expect(dash.stale.map((x: { id: string }) => x.id)).to.deep.equal([r.id]);
    expect(dash.stale[0].staleDays).to.be.within(29, 31);
    expect(await (await gaj.fetch(`/resources/${r.id}`, { headers: { accept: 'text/html' } })).text()).to.contain('已超过更新周期');
    const cur = (await gaj.json(`/api/v1/resources/${r.id}`)).body;
    expect((await gaj.json(`/api/v1/resources/${r.id}/current`, { method: 'POST', json: { version: cur.version } })).status).to.equal(200);
    expect((await gaj.json('/api/v1/dashboard')).body.stale).to.deep.equal([]);
  });

  it('a published entry changes through a revision: the published version stays until its successor is published, and grant holders are told', async () => {
    const [gaj, office, reviewer, leader, staff] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer'), await app.as('approver'), await app.as('staff')];
    const open = { type: '无条件共享' as const, method: { category: '共享平台方式' as const, type: '接口' as const } };
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ sharing: open }) })).body.resource;
    for (const [c, e] of [[gaj, 'submit'], [office, 'accept'], [reviewer, 'approve']] as const) await stepOn(c, r.id, e);
    const publish = async () => {
      const b = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [r.id] } })).body;
      expect(b.skipped, JSON.stringify(b)).to.deep.equal([]);
      await batchStep(office, b.id, 'submit');
      await batchStep(leader, b.id, 'approve');
    };
    await publish();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: r.code, items: ['姓名'] }], purpose: '核对', scope: '窗口', startsOn: today, endsOn: today } })).status).to.equal(201);

    const published = (await gaj.json(`/api/v1/resources/${r.id}`)).body;
    const revised = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ sharing: open, abstract: '修订后的摘要:增加暂住人口。' }), version: published.version } });
    expect(revised.status, JSON.stringify(revised.body)).to.equal(200);
    expect(revised.body.resource.status).to.equal('published');
    expect(revised.body.resource.abstract).to.equal(published.abstract);
    expect(revised.body.resource.revision).to.include({ status: 'draft' });
    expect(revised.body.resource.revision.content.abstract).to.equal('修订后的摘要:增加暂住人口。');
    // Everyone else sees the published version only.
    const seen = (await staff.json(`/api/v1/resources/${r.id}`)).body;
    expect(seen.abstract).to.equal(published.abstract);
    expect(seen).not.to.have.property('revision');
    expect((await app.client().json(`/api/v1/resources/${r.id}`)).body).not.to.have.property('revision');

    const submitted = await stepOn(gaj, r.id, 'submit');
    expect(submitted.body.status).to.equal('published');
    expect(submitted.body.revision.status).to.equal('submitted');
    expect(submitted.body.actions).to.deep.equal([]);
    const locked = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput({ sharing: open, abstract: '再改' }), version: submitted.body.version } });
    expect(locked.status).to.equal(409);
    expect((await stepOn(office, r.id, 'accept')).body.revision.status).to.equal('under_review');
    expect((await stepOn(reviewer, r.id, 'approve')).body.revision.status).to.equal('approved');
    expect((await office.json('/api/v1/dashboard')).body.toBatch).to.equal(1);
    await publish();
    const after = (await gaj.json(`/api/v1/resources/${r.id}`)).body;
    expect(after).to.include({ status: 'published', abstract: '修订后的摘要:增加暂住人口。', code: r.code });
    expect(after).not.to.have.property('revision');
    expect(after.review.steps.filter((x: { event: string }) => x.event === 'publish')).to.have.length(2);
    const notes = (await staff.json('/api/v1/notifications')).body.items.map((n: { body: string }) => n.body);
    expect(notes.some((b: string) => b.startsWith('已发布修订版'))).to.equal(true);
    await app.settle();
    const hits = (await staff.json(`/api/v1/search?q=${encodeURIComponent('增加暂住人口')}`)).body.hits.map((h: { id: string }) => h.id);
    expect(hits).to.include(r.id);
  });

  it('市信息办 returns an incomplete submission, and takes an entry out of a batch not yet submitted', async () => {
    const [gaj, office] = [await app.as('gaj'), await app.as('office')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '婚姻登记信息' }) })).body.resource;
    await stepOn(gaj, r.id, 'submit');
    const back = await stepOn(office, r.id, 'return', { reason: '缺少信息项说明' });
    expect(back.body).to.deep.include({ status: 'returned' });
    const a = await approvedEntry('常住人口基本信息');
    const b = await approvedEntry('暂住人口登记信息');
    const batch = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [a, b] } })).body;
    const removed = await office.json(`/api/v1/batches/${batch.id}/entries/${a}/remove`, { method: 'POST', json: { version: batch.version } });
    expect(removed.body.resourceIds).to.deep.equal([b]);
    expect((await gaj.json(`/api/v1/resources/${a}`)).body.status).to.equal('approved');
    await batchStep(office, batch.id, 'submit');
    const late = (await office.json(`/api/v1/batches/${batch.id}`)).body;
    expect((await office.json(`/api/v1/batches/${batch.id}/entries/${b}/remove`, { method: 'POST', json: { version: late.version } })).status).to.equal(409);
  });

  it('the review record and referrals stay inside: anonymous visitors and other agencies see the entry as published', async () => {
    const [gaj, office, leader, staff, reviewer] = [await app.as('gaj'), await app.as('office'), await app.as('approver'), await app.as('staff'), await app.as('reviewer')];
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ openness: { isOpen: true, condition: '无' } }) })).body.resource;
    const asked = (await gaj.json(`/api/v1/resources/${r.id}/referrals`, { method: 'POST', json: { question: '能否开放?', version: r.version } })).body;
    await gaj.json(`/api/v1/resources/${r.id}/steps`, { method: 'POST', json: { event: 'submit', version: asked.version } });
    await stepOn(office, r.id, 'accept');
    await stepOn(reviewer, r.id, 'approve');
    const b = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [r.id] } })).body;
    await batchStep(office, b.id, 'submit');
    await batchStep(leader, b.id, 'approve');
    for (const [who, c] of [['anonymous', app.client()], ['staff', staff]] as const) {
      const seen = (await c.json(`/api/v1/resources/${r.id}`)).body;
      expect(seen.status, who).to.equal('published');
      for (const k of ['review', 'referrals', 'revision']) expect(seen, `${who} ${k}`).not.to.have.property(k);
      const html = await (await c.fetch(`/resources/${r.id}`, { headers: { accept: 'text/html' } })).text();
      expect(html, who).not.to.contain('能否开放').and.not.to.contain('审查发布记录');
    }
    const own = (await gaj.json(`/api/v1/resources/${r.id}`)).body;
    expect(own.review.steps.length).to.be.above(0);
    expect(own.referrals[0].question).to.equal('能否开放?');
  });

  it('two batches made at once from the same entry: it is in exactly one, and the other neither lists nor moves it', async () => {
    const [office, gaj] = [await app.as('office'), await app.as('gaj')];
    const a = await approvedEntry('常住人口基本信息');
    const [x, y] = await Promise.all([
      office.json('/api/v1/batches', { method: 'POST', json: { resources: [a] } }),
      office.json('/api/v1/batches', { method: 'POST', json: { resources: [a] } }),
    ]);
    // Whichever came second was either refused (the entry was no longer approved when it looked) or made without it.
    const made = [x, y].filter((res) => res.status === 201).map((res) => res.body);
    expect([x, y].every((res) => res.status === 201 || res.status === 422)).to.equal(true);
    expect(made.filter((b) => b.resourceIds.includes(a))).to.have.length(1);
    const holder = made.find((b) => b.resourceIds.includes(a));
    const other = made.find((b) => !b.resourceIds.includes(a)) ?? (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [await approvedEntry('暂住人口登记信息')] } })).body;
    if (made.length === 2) expect(other.skipped).to.have.length(1);
    const fresh = (await office.json(`/api/v1/batches/${other.id}`)).body;
    expect((await office.json(`/api/v1/batches/${other.id}/entries/${a}/remove`, { method: 'POST', json: { version: fresh.version } })).status).to.equal(404);
    await batchStep(office, other.id, 'submit');
    expect((await gaj.json(`/api/v1/resources/${a}`)).body).to.deep.include({ status: 'in_batch' });
    expect((await gaj.json(`/api/v1/resources/${a}`)).body.review.batchId).to.equal(holder.id);
  });

  it('a revision whose new name another entry took meanwhile goes back to its steward instead of sticking in the batch', async () => {
    const [gaj, office, reviewer, leader] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer'), await app.as('approver')];
    const p = await approvedEntry('常住人口基本信息');
    const first = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [p] } })).body;
    await batchStep(office, first.id, 'submit');
    await batchStep(leader, first.id, 'approve');
    const cur = (await gaj.json(`/api/v1/resources/${p}`)).body;
    await gaj.json(`/api/v1/resources/${p}`, { method: 'PUT', json: { ...resourceInput({ name: '常住人口信息(2027版)' }), version: cur.version } });
    // Another entry of the same agency takes that name before the revision is published.
    expect((await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '常住人口信息(2027版)' }) })).status).to.equal(201);
    for (const [c, e] of [[gaj, 'submit'], [office, 'accept'], [reviewer, 'approve']] as const) await stepOn(c, p, e);
    const b = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [p] } })).body;
    await batchStep(office, b.id, 'submit');
    const decided = (await batchStep(leader, b.id, 'approve')).body;
    expect(decided.skipped.join()).to.contain('已被本机关其他资源使用');
    const after = (await gaj.json(`/api/v1/resources/${p}`)).body;
    expect(after.name).to.equal('常住人口基本信息');
    expect(after.revision).to.include({ status: 'returned' });
    expect(after.revision.returnReason).to.contain('请修改后重新提交');
    // The page offers the reason box for returning a revision too.
    const v = (await gaj.json(`/api/v1/resources/${p}`, { method: 'PUT', json: { ...resourceInput({ name: '常住人口信息(2027修订)' }), version: after.version } })).body.resource.version;
    await gaj.json(`/api/v1/resources/${p}/steps`, { method: 'POST', json: { event: 'resubmit', version: v } });
    await stepOn(office, p, 'accept');
    const html = await (await reviewer.fetch(`/resources/${p}`, { headers: { accept: 'text/html' } })).text();
    expect(html).to.match(/name="event" value="return"[\s\S]*?name="reason"/);
  });
});
