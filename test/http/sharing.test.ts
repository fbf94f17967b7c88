// The conditional-sharing request and grants through the JSON API, as the people who take each step: a consumer
// agency (gsj), 市信息办 (office), the review authority (reviewer), and the provider (gaj).

import { expect } from 'chai';
import { expireLapsedGrants } from '../../server/actions/sharing/grants.ts';
import { ensureGrants } from '../../server/actions/sharing/requests.ts';
import { actionContext } from '../../server/http/api.ts';
import { pruneIdempotency } from '../../server/http/idempotency.ts';
import type { Resource } from '../../server/domain/resource.ts';
import { createUser } from '../../server/identity/users.ts';
import { SEED_ACTOR } from '../../server/seed/bootstrap.ts';
import { type Client, PASSWORD, type TestApp, startApp } from '../support/harness.ts';
import { storeWithAuditFault } from '../support/faulty-store.ts';
import { SYSTEM, resourceInput } from '../support/fixtures.ts';
import { DELIVERY, act, inDays, published, terms, today } from '../support/workflow.ts';

describe('HTTP: conditional sharing requests and grants', () => {
  let app: TestApp;
  let resource: Resource;
  beforeEach(async () => {
    app = await startApp({ noIndex: true });
    resource = await published(app, '有条件共享', '常住人口基本信息');
  });
  afterEach(() => app.close());

  async function draft(over: Record<string, unknown> = {}) {
    const gsj = await app.as('gsj');
    const res = await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: resource.code, items: ['公民身份号码', '姓名'] }], ...terms(), ...over } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  it('walks the whole path: apply, accept, approve (contact sheet), provide, task order, grant', async () => {
    const [gsj, office, reviewer, gaj] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer'), await app.as('gaj')];
    const r = await draft();
    expect(r).to.include({ state: 'draft', kind: 'apply', applicantAgencyId: 'ag-gsj', providerAgencyId: 'ag-gaj' });
    expect(r.number).to.match(/^SQ\d{4}-\d{6}$/);
    expect(r.actions).to.deep.equal(['submit', 'withdraw']);
    // The provider does not see a request before the contact sheet reaches it.
    expect((await gaj.json(`/api/v1/requests/${r.id}`)).status).to.equal(404);

    expect((await act(gsj, r.id, 'submit')).body.state).to.equal('submitted');
    expect((await office.json('/api/v1/requests?view=queue')).body.items.map((x: { id: string }) => x.id)).to.include(r.id);
    const accepted = (await act(office, r.id, 'accept')).body;
    expect(accepted.state).to.equal('under_review');
    expect(accepted.deadline).to.include({ clock: 'review', days: 5, since: today() });

    const approved = (await act(reviewer, r.id, 'approve')).body;
    expect(approved.state).to.equal('contact_sheet_issued');
    expect(approved.contactSheet.number).to.match(/^LXD\d{4}-000001$/);
    expect(approved.deadline).to.include({ clock: 'reply', days: 10 });

    const inbox = (await gaj.json('/api/v1/requests?view=provider')).body;
    expect(inbox.items.map((x: { id: string }) => x.id)).to.deep.equal([r.id]);
    expect(inbox.items[0].actions).to.deep.equal(['provide', 'refuse']);
    const provided = (await act(gaj, r.id, 'provide', DELIVERY)).body;
    expect(provided.state).to.equal('provided');
    expect(provided.reply).to.include(DELIVERY);

    const ordered = (await act(office, r.id, 'issue_task_order')).body;
    expect(ordered.taskOrder.number).to.match(/^RWS\d{4}-000001$/);
    const granted = (await act(gaj, r.id, 'grant')).body;
    expect(granted.state).to.equal('granted');
    expect(granted.steps.map((s: { event: string }) => s.event)).to.deep.equal(['submit', 'accept', 'approve', 'provide', 'issue_task_order', 'grant']);
    expect(granted.steps.map((s: { by: string }) => s.by)).to.deep.equal(['gsj', 'office', 'reviewer', 'gaj', 'office', 'gaj']);

    const grants = (await gsj.json(`/api/v1/grants?resource=${resource.id}`)).body;
    expect(grants.total).to.equal(1);
    expect(grants.items[0]).to.include({ state: 'active', kind: 'conditional', requestId: r.id, consumerAgencyId: 'ag-gsj', purpose: terms().purpose });
    expect(grants.items[0].resources[0].items).to.deep.equal(['公民身份号码', '姓名']);
    const audit = await app.store.audit.list({ limit: 100 });
    expect(audit.items.map((a) => a.action)).to.include.members(['request.create', 'request.submit', 'request.approve', 'request.grant', 'grant.create']);
  });

  it('refusal needs reasons and a legal basis, starts the deliberation, and an upheld refusal is final', async () => {
    const [gsj, office, reviewer, gaj] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer'), await app.as('gaj')];
    const r = await draft();
    await act(gsj, r.id, 'submit');
    await act(office, r.id, 'accept');
    await act(reviewer, r.id, 'approve');
    const bare = await act(gaj, r.id, 'refuse', { reason: '数据涉及个人隐私' });
    expect(bare.status).to.equal(422);
    expect(bare.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/basis']);
    expect(bare.body.errors[0].message.zh).to.contain('法律法规或政策依据');
    const refused = await act(gaj, r.id, 'refuse', { reason: '数据涉及个人隐私', basis: '《个人信息保护法》第三十四条' });
    expect(refused.body.state).to.equal('refused');
    expect(refused.body.refusal).to.include({ reason: '数据涉及个人隐私', basis: '《个人信息保护法》第三十四条', by: 'gaj' });
    expect(refused.body.deadline).to.include({ clock: 'deliberation', days: 10 });
    expect((await reviewer.json('/api/v1/requests?view=queue')).body.items.map((x: { id: string }) => x.id)).to.include(r.id);
    const upheld = await act(reviewer, r.id, 'uphold', { reason: '申请用途可通过核验接口满足' });
    expect(upheld.body.state).to.equal('refusal_upheld');
    expect(upheld.body.actions).to.deep.equal([]);
    // Final: nothing moves it any more, whoever tries.
    for (const [c, e] of [[gaj, 'provide'], [reviewer, 'overrule'], [office, 'issue_task_order']] as const) {
      expect((await act(c, r.id, e, { ...DELIVERY, reason: 'x' })).status, e).to.equal(409);
    }
  });

  it('an overruled refusal obliges the provider: it can provide, not refuse again', async () => {
    const [gsj, office, reviewer, gaj] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer'), await app.as('gaj')];
    const r = await draft();
    await act(gsj, r.id, 'submit');
    await act(office, r.id, 'accept');
    await act(reviewer, r.id, 'approve');
    await act(gaj, r.id, 'refuse', { reason: '涉及隐私', basis: '某条例' });
    const overruled = await act(reviewer, r.id, 'overrule', { reason: '法定职责需要,依据充分' });
    expect(overruled.body).to.include({ state: 'refusal_overruled' });
    expect(overruled.body.deliberation).to.include({ decision: 'overruled' });
    expect(overruled.body.deadline).to.include({ clock: 'reply' });
    expect((await act(gaj, r.id, 'refuse', { reason: '再次拒绝', basis: '某条例' })).status).to.equal(409);
    expect((await act(gaj, r.id, 'provide', DELIVERY)).body.state).to.equal('provided');
  });

  it('two reviewers deciding at once: exactly one decision is recorded, the other gets 409 (F16)', async () => {
    await createUser(app.store, { username: 'reviewer2', displayName: '审查员二', password: PASSWORD, agencyId: 'ag-jcj', roles: ['reviewer'] }, SEED_ACTOR);
    const [gsj, office, reviewer] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer')];
    const reviewer2 = app.client();
    await reviewer2.login('reviewer2', PASSWORD);
    const r = await draft();
    await act(gsj, r.id, 'submit');
    const accepted = (await act(office, r.id, 'accept')).body;
    const [a, b] = await Promise.all([
      reviewer.json(`/api/v1/requests/${r.id}/steps`, { method: 'POST', json: { event: 'approve', version: accepted.version } }),
      reviewer2.json(`/api/v1/requests/${r.id}/steps`, { method: 'POST', json: { event: 'reject', version: accepted.version, reason: '用途不明确' } }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const final = (await gsj.json(`/api/v1/requests/${r.id}`)).body;
    expect(final.steps.filter((s: { from: string }) => s.from === 'under_review')).to.have.length(1);
    expect(final.state).to.equal(a.status === 200 ? 'contact_sheet_issued' : 'rejected');
  });

  it('nobody decides on their own agency\'s request; wrong actors get 403 and impossible steps 409', async () => {
    await createUser(app.store, { username: 'gsjreviewer', displayName: '工商审查员', password: PASSWORD, agencyId: 'ag-gsj', roles: ['reviewer', 'info_office'] }, SEED_ACTOR);
    const own = app.client();
    await own.login('gsjreviewer', PASSWORD);
    const [gsj, office, reviewer, gaj, staff] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer'), await app.as('gaj'), await app.as('staff')];
    const r = await draft();
    const submitted = (await act(gsj, r.id, 'submit')).body;
    // 信息办 and reviewer roles held by someone of the applicant agency do not count for this request.
    expect((await act(own, r.id, 'accept')).status).to.equal(403);
    expect((await own.json(`/api/v1/requests/${r.id}`)).body.actions).to.deep.equal([]);
    // Table: who tries what in `submitted` → expected status.
    const table: [Client, string, number][] = [
      [gsj, 'accept', 403], [reviewer, 'accept', 403], [gaj, 'accept', 404], [staff, 'accept', 404],
      [office, 'approve', 409], [office, 'provide', 409], [gsj, 'grant', 409], [reviewer, 'submit', 409],
    ];
    for (const [c, event, status] of table) {
      const res = await c.json(`/api/v1/requests/${r.id}/steps`, { method: 'POST', json: { event, version: submitted.version, reason: 'x' } });
      expect(res.status, event).to.equal(status);
    }
    expect((await act(office, r.id, 'accept')).status).to.equal(200);
  });

  it('a request must name a purpose, scope, facilities, security, basis, period and items: all errors at once, nothing stored', async () => {
    const gsj = await app.as('gsj');
    const other = await published(app, '有条件共享', '法人单位基本信息', 'ag-gsj');
    const res = await gsj.json('/api/v1/requests', {
      method: 'POST', json: { resources: [{ code: resource.code, items: ['不存在的项'] }, { code: other.code, items: [] }], purpose: ' ', startsOn: '2020-01-01', endsOn: '2031-13-01' },
    });
    expect(res.status).to.equal(422);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).to.include.members(['/purpose', '/scope', '/facilities', '/security', '/basis', '/startsOn', '/endsOn', '/resources/0/items', '/resources/1/code']);
    for (const e of res.body.errors) expect(e.message.zh).to.match(/[\u4e00-\u9fff]/);
    expect(await app.store.requests.count()).to.equal(0);
  });

  it('one request per provider; unconditional entries are obtained, not requested', async () => {
    const gaj = await app.as('gaj');
    const open = await published(app, '无条件共享', '机动车登记信息');
    const mixed = await (await app.as('staff')).json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: resource.code, items: ['姓名'] }, { code: open.code, items: ['姓名'] }], ...terms() } });
    expect(mixed.status).to.equal(422);
    expect(mixed.body.errors.map((e: { code: string }) => e.code)).to.include('unconditional');
    const own = await gaj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: resource.code, items: ['姓名'] }], ...terms() } });
    expect(own.body.errors[0].code).to.equal('own');
  });

  it('获取: an unconditional entry is granted at once, recorded and audited; a conditional one is refused there', async () => {
    const staff = await app.as('staff');
    const open = await published(app, '无条件共享', '机动车登记信息');
    const got = await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: ['姓名'] }], purpose: '核对车主', scope: '民政窗口', startsOn: today(), endsOn: inDays(30) } });
    expect(got.status, JSON.stringify(got.body)).to.equal(201);
    expect(got.body).to.include({ kind: 'unconditional', state: 'active', consumerAgencyId: 'ag-mzj', providerAgencyId: 'ag-gaj' });
    expect(got.body.number).to.match(/^GR\d{4}-\d{6}$/);
    expect((await app.store.audit.list({ action: 'grant.obtain', limit: 10 })).total).to.equal(1);
    const conditional = await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: resource.code, items: ['姓名'] }], purpose: 'x', scope: 'y', startsOn: today(), endsOn: inDays(30) } });
    expect(conditional.status).to.equal(422);
    expect(conditional.body.errors[0].code).to.equal('conditional');
  });

  it('不予共享 goes to coordination: 市信息办 takes it to the deliberation, and an overruling obliges the provider', async () => {
    const [staff, office, reviewer, gaj] = [await app.as('staff'), await app.as('office'), await app.as('reviewer'), await app.as('gaj')];
    const closed = await published(app, '不予共享', '刑事案件信息');
    const r = (await staff.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: closed.code, items: ['姓名'] }], ...terms() } })).body;
    expect(r.kind).to.equal('coordinate');
    await act(staff, r.id, 'submit');
    const coordinating = (await act(office, r.id, 'accept')).body;
    expect(coordinating.state).to.equal('coordinating');
    expect(coordinating.deadline).to.include({ clock: 'deliberation' });
    expect((await act(reviewer, r.id, 'overrule', { reason: '履职必需' })).body.state).to.equal('refusal_overruled');
    const provided = await act(gaj, r.id, 'provide', DELIVERY);
    expect(provided.body.state, JSON.stringify(provided.body)).to.equal('provided');
  });

  it('a retried POST with the same Idempotency-Key is answered once, not applied twice', async () => {
    const gsj = await app.as('gsj');
    const body = { resources: [{ code: resource.code, items: ['姓名'] }], ...terms() };
    const headers = { 'idempotency-key': 'apply-2026-0001' };
    const first = await gsj.json('/api/v1/requests', { method: 'POST', json: body, headers });
    const again = await gsj.json('/api/v1/requests', { method: 'POST', json: body, headers });
    expect(first.status).to.equal(201);
    expect(again.status).to.equal(201);
    expect(again.body.id).to.equal(first.body.id);
    expect(await app.store.requests.count()).to.equal(1);
    const other = await gsj.json('/api/v1/requests', { method: 'POST', json: { ...body, purpose: '别的用途' }, headers });
    expect(other.status).to.equal(422);
    // A step too: the second submit is the first one's answer, not a 409.
    const submit = { event: 'submit', version: first.body.version };
    const s1 = await gsj.json(`/api/v1/requests/${first.body.id}/steps`, { method: 'POST', json: submit, headers: { 'idempotency-key': 'submit-1' } });
    const s2 = await gsj.json(`/api/v1/requests/${first.body.id}/steps`, { method: 'POST', json: submit, headers: { 'idempotency-key': 'submit-1' } });
    expect([s1.status, s2.status]).to.deep.equal([200, 200]);
    expect(s2.body.steps).to.have.length(1);
  });

  it('an applicant can withdraw until the contact sheet is issued', async () => {
    const [gsj, office, reviewer] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer')];
    const r = await draft();
    await act(gsj, r.id, 'submit');
    await act(office, r.id, 'accept');
    expect((await act(gsj, r.id, 'withdraw')).body.state).to.equal('withdrawn');
    const r2 = await draft();
    await act(gsj, r2.id, 'submit');
    await act(office, r2.id, 'accept');
    await act(reviewer, r2.id, 'approve');
    expect((await act(gsj, r2.id, 'withdraw')).status).to.equal(409);
  });

  it('市信息办 suspends, resumes and revokes a grant with reasons; the clock expires it after its period', async () => {
    const [staff, office] = [await app.as('staff'), await app.as('office')];
    const open = await published(app, '无条件共享', '机动车登记信息');
    const g = (await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: [] }], purpose: '核对', scope: '窗口', startsOn: today(), endsOn: today() } })).body;
    expect(g.resources[0].items).to.deep.equal(['公民身份号码', '姓名', '出生日期']);
    const step = async (c: Client, event: string, reason?: string) => {
      const cur = (await c.json(`/api/v1/grants/${g.id}`)).body;
      return c.json(`/api/v1/grants/${g.id}/steps`, { method: 'POST', json: { event, version: cur.version, ...(reason ? { reason } : {}) } });
    };
    expect((await step(staff, 'suspend', '自查')).status).to.equal(403);
    expect((await step(office, 'suspend')).status).to.equal(422);
    expect((await step(office, 'suspend', '超范围使用')).body.state).to.equal('suspended');
    expect((await step(office, 'resume', '已整改')).body.state).to.equal('active');
    expect(await expireLapsedGrants(app.store, new Date())).to.equal(0);
    expect(await expireLapsedGrants(app.store, new Date(Date.now() + 2 * 86_400_000))).to.equal(1);
    const expired = (await staff.json(`/api/v1/grants/${g.id}`)).body;
    expect(expired.state).to.equal('expired');
    expect(expired.steps.at(-1)).to.include({ event: 'expire', by: 'system' });
    expect((await step(office, 'revoke', '晚了')).status).to.equal(409);
  });

  it('others do not learn a request exists', async () => {
    const r = await draft();
    expect((await (await app.as('wsj')).json(`/api/v1/requests/${r.id}`)).status).to.equal(404);
    expect((await app.client().json(`/api/v1/requests/${r.id}`)).status).to.equal(401);
    expect((await (await app.as('wsj')).json('/api/v1/requests?view=all')).status).to.equal(403);
  });

  it('onward provision needs the provider\'s written consent; misuse is recorded with a rectification order and may suspend the grant', async () => {
    const [staff, gaj, office, gsj] = [await app.as('staff'), await app.as('gaj'), await app.as('office'), await app.as('gsj')];
    const open = await published(app, '无条件共享', '机动车登记信息');
    let g = (await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: ['姓名'] }], purpose: '核对车主', scope: '民政窗口', startsOn: today(), endsOn: inDays(60) } })).body;
    const ask = { recipient: '区民政局', purpose: '低保复核', version: g.version };
    expect((await gsj.json(`/api/v1/grants/${g.id}/consents`, { method: 'POST', json: ask })).status).to.equal(404);
    expect((await staff.json(`/api/v1/grants/${g.id}/consents`, { method: 'POST', json: { version: g.version } })).status).to.equal(422);
    g = (await staff.json(`/api/v1/grants/${g.id}/consents`, { method: 'POST', json: ask })).body;
    expect(g.consents[0]).to.include({ id: 'c1', state: 'pending', recipient: '区民政局', requestedBy: 'staff' });
    expect((await staff.json(`/api/v1/grants/${g.id}/consents/c1/answer`, { method: 'POST', json: { decision: 'granted', answer: '同意', version: g.version } })).status).to.equal(403);
    // An agency with no part in the grant learns nothing about it, not even its version.
    expect((await (await app.as('wsj')).json(`/api/v1/grants/${g.id}/consents/c1/answer`, { method: 'POST', json: { decision: 'granted', answer: '同意', version: 999 } })).status).to.equal(404);
    g = (await gaj.json(`/api/v1/grants/${g.id}/consents/c1/answer`, { method: 'POST', json: { decision: 'granted', answer: '同意,限低保复核使用', version: g.version } })).body;
    expect(g.consents[0]).to.include({ state: 'granted', answeredBy: 'gaj' });
    expect((await gaj.json(`/api/v1/grants/${g.id}/consents/c1/answer`, { method: 'POST', json: { decision: 'refused', answer: '改主意', version: g.version } })).status).to.equal(409);
    expect((await staff.json('/api/v1/notifications')).body.items.map((n: { title: string }) => n.title)).to.include(`授权 ${g.number}:向第三方提供已同意`);

    expect((await staff.json(`/api/v1/grants/${g.id}/violations`, { method: 'POST', json: { description: 'x', rectification: 'y', version: g.version } })).status).to.equal(403);
    g = (await office.json(`/api/v1/grants/${g.id}/violations`, { method: 'POST', json: { description: '超出约定范围向社会公开', rectification: '删除已公开数据并提交整改报告', notice: true, suspend: true, version: g.version } })).body;
    expect(g.state).to.equal('suspended');
    expect(g.violations[0]).to.include({ id: 'v1', notice: true, recordedBy: 'office' });
    expect(g.steps.at(-1)).to.include({ event: 'suspend', by: 'office' });
    g = (await office.json(`/api/v1/grants/${g.id}/violations/v1/rectified`, { method: 'POST', json: { note: '已删除并提交报告', version: g.version } })).body;
    expect(g.violations[0].rectifiedNote).to.equal('已删除并提交报告');
    const html = await (await staff.fetch(`/grants/${g.id}`, { headers: { accept: 'text/html' } })).text();
    expect(html).to.contain('超出约定范围向社会公开').and.contain('已通报批评').and.contain('已整改');
  });

  it('市信息办 returns an incomplete application to its drafter; the review authority rejects with reasons, and that is the end', async () => {
    const [gsj, office, reviewer] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer')];
    const r = await draft();
    await act(gsj, r.id, 'submit');
    const back = await act(office, r.id, 'return', { reason: '技术设施描述不完整' });
    expect(back.body.state).to.equal('draft');
    expect(back.body.steps.at(-1).fields).to.deep.equal({ reason: '技术设施描述不完整' });
    await act(gsj, r.id, 'submit');
    await act(office, r.id, 'accept');
    expect((await act(reviewer, r.id, 'reject')).status).to.equal(422);
    const rejected = await act(reviewer, r.id, 'reject', { reason: '用途与职责不符' });
    expect(rejected.body.state).to.equal('rejected');
    expect(rejected.body.actions).to.deep.equal([]);
    expect((await act(gsj, r.id, 'submit')).status).to.equal(409);
  });

  it('F17: a step whose audit record cannot be written is not taken', async () => {
    const fault = storeWithAuditFault();
    const failing = await startApp({ noIndex: true, store: fault.store });
    try {
      const gaj = await failing.as('gaj');
      const created = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '户籍迁移信息' }) });
      const stored = (await failing.store.resources.get(created.body.resource.id))!;
      const pub = await failing.store.resources.update(stored.id, { ...stored, status: 'published' }, stored.version, SYSTEM);
      const gsj = await failing.as('gsj');
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: pub.code, items: ['姓名'] }], ...terms() } })).body;
      fault.failAudit(true);
      expect((await gsj.json(`/api/v1/requests/${r.id}/steps`, { method: 'POST', json: { event: 'submit', version: r.version } })).status).to.equal(500);
      expect((await failing.store.requests.get(r.id))!.state).to.equal('draft');
    } finally {
      await failing.close();
      fault.cleanup();
    }
  });

  it('the remaining rows through the API: withdrawal from a draft and from submitted, an upheld coordination, a revoked grant', async () => {
    const [gsj, office, reviewer, staff] = [await app.as('gsj'), await app.as('office'), await app.as('reviewer'), await app.as('staff')];
    const a = await draft();
    expect((await act(gsj, a.id, 'withdraw')).body.state).to.equal('withdrawn');
    const b = await draft();
    await act(gsj, b.id, 'submit');
    expect((await act(gsj, b.id, 'withdraw')).body.state).to.equal('withdrawn');
    const closed = await published(app, '不予共享', '在逃人员信息');
    const c = (await staff.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: closed.code, items: ['姓名'] }], ...terms() } })).body;
    await act(staff, c.id, 'submit');
    await act(office, c.id, 'accept');
    const upheld = await act(reviewer, c.id, 'uphold', { reason: '涉及侦查秘密' });
    expect(upheld.body.state).to.equal('refusal_upheld');
    expect(upheld.body).not.to.have.property('contactSheet');
    const open = await published(app, '无条件共享', '机动车登记信息');
    const g = (await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: ['姓名'] }], purpose: '核对', scope: '窗口', startsOn: today(), endsOn: inDays(10) } })).body;
    const revoked = await office.json(`/api/v1/grants/${g.id}/steps`, { method: 'POST', json: { event: 'revoke', version: g.version, reason: '违规使用,撤销授权' } });
    expect(revoked.body.state).to.equal('revoked');
    expect(revoked.body.actions).to.deep.equal([]);
  });

  it('a granted request whose grant was not written gets it from the clock, once', async () => {
    let failGrant = false;
    const broken = await startApp({
      noIndex: true,
      wrapStore: (st) => ({ ...st, grants: Object.assign(Object.create(st.grants), { create: async (...a: Parameters<typeof st.grants.create>) => {
        if (failGrant) throw new Error('store hiccup');
        return st.grants.create(...a);
      } }) }) as typeof st,
    });
    try {
      const r0 = await published(broken, '有条件共享', '户籍迁移登记信息');
      const [gsj, office, reviewer, gaj] = [await broken.as('gsj'), await broken.as('office'), await broken.as('reviewer'), await broken.as('gaj')];
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: r0.code, items: ['姓名'] }], ...terms() } })).body;
      for (const [c, e, f] of [[gsj, 'submit', {}], [office, 'accept', {}], [reviewer, 'approve', {}], [gaj, 'provide', DELIVERY], [office, 'issue_task_order', {}]] as const) {
        await act(c, r.id, e, f);
      }
      failGrant = true;
      expect((await act(gaj, r.id, 'grant')).status).to.equal(500);
      failGrant = false;
      expect((await broken.store.requests.get(r.id))!.state).to.equal('granted');
      expect(await broken.store.grants.get(`grant-${r.id}`)).to.equal(undefined);
      const clock = actionContext({ store: broken.store, synonyms: new Map(), now: () => new Date() }, undefined, 'test-clock');
      expect(await ensureGrants(clock)).to.equal(1);
      expect(await ensureGrants(clock)).to.equal(0);
      expect((await gsj.json(`/api/v1/grants?resource=${r0.id}`)).body.items.map((x: { requestId: string }) => x.requestId)).to.deep.equal([r.id]);
    } finally {
      await broken.close();
    }
  });

  it('idempotency keys are forgotten after a day', async () => {
    const gsj = await app.as('gsj');
    const body = { resources: [{ code: resource.code, items: ['姓名'] }], ...terms() };
    await gsj.json('/api/v1/requests', { method: 'POST', json: body, headers: { 'idempotency-key': 'k-1' } });
    expect(await pruneIdempotency(app.store, new Date())).to.equal(0);
    expect(await pruneIdempotency(app.store, new Date(Date.now() + 25 * 3600_000))).to.equal(1);
    expect(await pruneIdempotency(app.store, new Date(Date.now() + 25 * 3600_000))).to.equal(0);
  });
});
