// Issue 9, the holes an independent probe found, each as a numbered test (security-and-reliability.md B21 onward,
// and the fault tests it names). Every test here failed on the main of 2026-12-02 and passes since.

import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { updateUser } from '../../server/actions/accounts.ts';
import { perform } from '../../server/actions/define.ts';
import { ValidationError } from '../../server/domain/errors.ts';
import { hasClassificationMarking } from '../../server/domain/secrecy.ts';
import { WITHHELD } from '../../server/domain/workflow/delivery.ts';
import { actionContext } from '../../server/http/api.ts';
import { idempotencyId, pruneIdempotency } from '../../server/http/idempotency.ts';
import { SYSTEM, resourceInput } from '../support/fixtures.ts';
import { DELIVERY, act, batchStep, published, stepOn, terms } from '../support/workflow.ts';
import { flagOverdue } from '../../server/actions/sharing/requests.ts';
import type { Client, TestApp } from '../support/harness.ts';
import { PASSWORD, USERS, startApp } from '../support/harness.ts';

const STRONG = 'plum-orchard-ledger-7731';

const sessionRows = (app: TestApp) => app.store.sessions.count(Date.now());

async function account(app: TestApp, username: string, roles: string[], agencyId = 'ag-mzj'): Promise<{ id: string; version: number }> {
  const sec = await app.as('secadmin');
  const u = await sec.json('/api/v1/users', { method: 'POST', json: { username, displayName: `测试 ${username}`, agencyId, roles, password: STRONG } });
  expect(u.status, JSON.stringify(u.body)).to.equal(201);
  return u.body;
}

async function setRoles(app: TestApp, id: string, patch: Record<string, unknown>) {
  const sec = await app.as('secadmin');
  const cur = (await app.store.users.get(id))!;
  return sec.json(`/api/v1/users/${id}`, { method: 'PUT', json: { ...patch, version: cur.version } });
}

/** Ways the probe got 绝密 past the screen: each folds to the marking. */
const DISGUISED: [string, string][] = [
  ['soft hyphen U+00AD', '绝\u00AD密'], ['combining grapheme joiner U+034F', '绝\u034F密'], ['variation selector U+FE0F', '绝\uFE0F密'],
  ['variation selector supplement U+E0100', '绝\u{E0100}密'], ['invisible times U+2062', '绝\u2062密'], ['Mongolian vowel separator U+180E', '绝\u180E密'],
  ['Hangul filler U+3164', '绝\u3164密'], ['Hangul choseong filler U+115F', '绝\u115F密'], ['combining acute U+0301', '绝\u0301密'],
  ['left-to-right mark U+200E', '绝\u200E密'], ['Braille blank U+2800', '绝\u2800密'], ['em dash', '绝—密'], ['hyphen U+2010', '绝‐密'],
  ['wave dash', '绝～密'], ['colon', '机:密'], ['ideographic full stop', '绝。密'], ['word joiner U+2060', '机\u2060密'], ['circled ideograph ㊙ + star', '㊙密★'], ['variant 宻', '绝宻'],
];

describe('HTTP: security (issue 9)', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp({ noIndex: true });
  });
  afterEach(() => app.close());

  describe('B21 invisible and look-alike characters, control characters, bad encodings', () => {
    for (const [what, text] of DISGUISED) {
      it(`refuses 绝密 disguised with a ${what} (422), stores nothing, audits the attempt`, async () => {
        const gaj = await app.as('gaj');
        const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ abstract: `人口数据,${text},内部使用` }) });
        expect(res.status).to.equal(422);
        expect(res.body.errors[0]).to.include({ pointer: '/abstract', code: 'classified_marking' });
        expect(await app.store.resources.count()).to.equal(0);
        expect((await app.store.audit.list({ action: 'resource.secret_refused' })).total).to.equal(1);
      });
    }

    it('refuses a right-to-left override that makes 密绝 display as 绝密 (400), and the screen itself reads it as displayed', async () => {
      const gaj = await app.as('gaj');
      const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '人口\u202E密绝\u202C信息' }) });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ pointer: '/name', code: 'control_character' });
      expect(await app.store.resources.count()).to.equal(0);
      expect(hasClassificationMarking('人口\u202E密绝\u202C信息')).to.equal(true);
      expect(hasClassificationMarking('人口\u202E信息\u202C密绝')).to.equal(false);
      expect(hasClassificationMarking('商业秘密')).to.equal(false);
      expect(hasClassificationMarking('秘\u2800密★')).to.equal(true);
      expect(hasClassificationMarking('涉及商业秘密、个人隐私')).to.equal(false);
    });

    it('screens every free text a user writes, not only catalog entries', async () => {
      const entry = await published(app, '有条件共享', '常住人口基本信息');
      const [gsj, office, reviewer, gaj, sec, sys] = await Promise.all(['gsj', 'office', 'reviewer', 'gaj', 'secadmin', 'sysadmin'].map((u) => app.as(u as never)));
      const secret = '绝\u00AD密';
      const refused = async (c: Client, path: string, json: Record<string, unknown>, pointer: string, method = 'POST') => {
        const res = await c.json(path, { method, json });
        expect(res.status, `${path} ${pointer}: ${JSON.stringify(res.body)}`).to.equal(422);
        expect(res.body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`)).to.include(`${pointer} classified_marking`);
      };
      const wanted = { resources: [{ code: entry.code, items: ['姓名'] }] };
      for (const k of ['purpose', 'scope', 'facilities', 'security', 'basis']) await refused(gsj, '/api/v1/requests', { ...wanted, ...terms({ [k]: `用于${secret}事项` }) }, `/${k}`);
      expect(await app.store.requests.count()).to.equal(0);
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { ...wanted, ...terms() } })).body;
      await act(gsj, r.id, 'submit');
      await refused(office, `/api/v1/requests/${r.id}/steps`, { event: 'return', reason: `${secret}材料`, version: r.version + 1 }, '/reason');
      await act(office, r.id, 'accept');
      await act(reviewer, r.id, 'approve');
      const v = (await gaj.json(`/api/v1/requests/${r.id}`)).body.version;
      for (const k of ['deliveryMethod', 'deliveryDetail', 'deliverySchedule']) await refused(gaj, `/api/v1/requests/${r.id}/steps`, { event: 'provide', ...DELIVERY, [k]: secret, version: v }, `/${k}`);
      await refused(gaj, `/api/v1/requests/${r.id}/steps`, { event: 'refuse', reason: secret, basis: '依据', version: v }, '/reason');
      await refused(gaj, `/api/v1/requests/${r.id}/steps`, { event: 'refuse', reason: '理由', basis: `《${secret}法》`, version: v }, '/basis');
      expect((await app.store.requests.get(r.id))!.state).to.equal('contact_sheet_issued');
      await refused(gaj, `/api/v1/resources/${entry.id}/referrals`, { question: `是否${secret}`, version: entry.version }, '/question');
      const obtained = await gsj.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: (await published(app, '无条件共享', '法人基本信息')).code, items: [] }], purpose: '登记', scope: '窗口', startsOn: terms().startsOn, endsOn: terms().endsOn } });
      expect(obtained.status).to.equal(201);
      const g = obtained.body;
      await refused(gsj, `/api/v1/grants/${g.id}/consents`, { recipient: `${secret}单位`, purpose: '核验', version: g.version }, '/recipient');
      await refused(office, `/api/v1/grants/${g.id}/violations`, { description: secret, rectification: '整改', version: g.version }, '/description');
      await refused(office, `/api/v1/grants/${g.id}/steps`, { event: 'suspend', reason: secret, version: g.version }, '/reason');
      const staff = (await app.store.users.getBy('username', 'staff'))!;
      await refused(sec, `/api/v1/users/${staff.id}`, { displayName: `王${secret}`, version: staff.version }, '/displayName', 'PUT');
      await refused(sec, '/api/v1/users', { username: 'newbie', displayName: secret, agencyId: 'ag-xxb', roles: ['agency_staff'], password: STRONG }, '/displayName');
      await refused(sys, '/api/v1/agencies', { name: `${secret}局`, code: 'x', kind: 'department' }, '/name');
      await refused(sys, '/api/v1/classification', { code: '212', name: secret }, '/name');
      // Before the batch is even looked up: the text never reaches the action.
      await refused(await app.as('approver'), '/api/v1/batches/none/steps', { event: 'reject', reason: '【秘密】', version: 1 }, '/reason');
      expect((await app.store.audit.list({ action: 'request.secret_refused' })).total).to.be.greaterThan(5);
    });

    it('keeps no search query carrying a marking among the zero-result queries (what the statistics show)', async () => {
      await app.search.rebuild();
      for (const q of ['绝密名单xyzzy', '机 密 档案 qqqq', '人口普查zzzz']) await app.client().json(`/api/v1/search?q=${encodeURIComponent(q)}`);
      await new Promise((r) => setTimeout(r, 50));
      expect((await app.store.searchMisses.list({})).items.map((m) => m.query)).to.deep.equal(['人口普查 zzzz']);
    });

    it('refuses NUL, ESC and other control characters, and line breaks in names, so none is stored', async () => {
      const gaj = await app.as('gaj');
      for (const name of ['人口\u0000信息', '人口\u001b[31m信息', '人口\u0085信息']) {
        const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) });
        expect(res.status, JSON.stringify(name)).to.equal(400);
        expect(res.body.errors[0]).to.include({ pointer: '/name', code: 'control_character' });
      }
      for (const name of ['人口\r\n信息', '人口\n信息', '人口\t信息']) {
        const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) });
        expect(res.status, JSON.stringify(name)).to.equal(422);
        expect(res.body.errors[0]).to.include({ pointer: '/name', code: 'line_break' });
      }
      const items = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ dataItems: [{ name: '姓\n名', dataType: 'C', length: 10 }] }) });
      expect(items.status).to.equal(422);
      expect(items.body.errors[0]).to.include({ pointer: '/dataItems/0/name', code: 'line_break' });
      // Multi-line fields keep their lines.
      expect((await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ abstract: '第一行\r\n第二行' }) })).status).to.equal(201);
      expect(await app.store.resources.count()).to.equal(1);
    });

    it('refuses lone surrogates and bodies or query strings that are not valid UTF-8 (400)', async () => {
      const gaj = await app.as('gaj');
      const lone = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(resourceInput()).replace('常住人口', '常住\\ud800人口') });
      expect(lone.status).to.equal(400);
      expect((await lone.json()).errors[0]).to.include({ pointer: '/name', code: 'lone_surrogate' });
      const bytes = Buffer.concat([Buffer.from(JSON.stringify(resourceInput()).slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const invalid = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: bytes });
      expect(invalid.status).to.equal(400);
      expect((await invalid.json()).detail_zh).to.contain('UTF-8');
      expect((await gaj.json('/api/v1/resources?agency=%FF%FE')).status).to.equal(400);
      expect((await gaj.json(`/api/v1/resources?agency=${encodeURIComponent('市公安局')}`)).status).to.equal(200);
      expect(await app.store.resources.count()).to.equal(0);
    });
  });

  describe('B23 notices never name what their reader may not open', () => {
    it('for every notice type, every reader can open its link and every entry it names', async () => {
      const [gaj, gsj, office, reviewer, approver] = await Promise.all((['gaj', 'gsj', 'office', 'reviewer', 'approver'] as const).map((u) => app.as(u)));
      const approved = async (c: Client, name: string, agencyId: string) => {
        const r = (await c.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name, provider: { agencyId } }) })).body.resource;
        await stepOn(c, r.id, 'submit');
        await stepOn(office, r.id, 'accept');
        await stepOn(reviewer, r.id, 'return', { reason: '摘要不完整' });
        await stepOn(c, r.id, 'resubmit');
        await stepOn(office, r.id, 'accept');
        await stepOn(reviewer, r.id, 'approve');
        return r.id as string;
      };
      // Entry steps, and a batch of two agencies' entries that is rejected, then approved.
      const e1 = await approved(gaj, '常住人口基本信息', 'ag-gaj');
      const e2 = await approved(gsj, '企业登记信息', 'ag-gsj');
      const b1 = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [e1, e2] } })).body;
      await batchStep(office, b1.id, 'submit');
      await batchStep(approver, b1.id, 'reject', { reason: '请补充说明' });
      const b2 = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [e1, e2] } })).body;
      await batchStep(office, b2.id, 'submit');
      expect((await batchStep(approver, b2.id, 'approve')).body.state).to.equal('approved');
      // Referral, a request to its grant, consent, violation, an overdue step.
      const pub = (await gaj.json(`/api/v1/resources/${e1}`)).body;
      await gaj.json(`/api/v1/resources/${e1}/referrals`, { method: 'POST', json: { question: '能否向区县共享?', version: pub.version } });
      const withQ = (await reviewer.json(`/api/v1/resources/${e1}`)).body;
      await reviewer.json(`/api/v1/resources/${e1}/referrals/q1/answer`, { method: 'POST', json: { answer: '可以', version: withQ.version } });
      const req = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: pub.code, items: ['姓名'] }], ...terms() } })).body;
      for (const [c, event, fields] of [[gsj, 'submit', {}], [office, 'accept', {}], [reviewer, 'approve', {}], [gaj, 'provide', DELIVERY], [office, 'issue_task_order', {}], [gaj, 'grant', {}]] as const) {
        expect((await act(c, req.id, event, fields)).status, event).to.equal(200);
      }
      const grant = (await gsj.json(`/api/v1/grants?resource=${e1}`)).body.items[0];
      await gsj.json(`/api/v1/grants/${grant.id}/consents`, { method: 'POST', json: { recipient: '区市场监管局', purpose: '核验', version: grant.version } });
      const g2 = (await gaj.json(`/api/v1/grants/${grant.id}`)).body;
      await gaj.json(`/api/v1/grants/${grant.id}/consents/c1/answer`, { method: 'POST', json: { decision: 'granted', answer: '同意', version: g2.version } });
      const g3 = (await office.json(`/api/v1/grants/${grant.id}`)).body;
      await office.json(`/api/v1/grants/${grant.id}/violations`, { method: 'POST', json: { description: '超范围使用', rectification: '停止使用', version: g3.version } });
      const late = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: pub.code, items: ['姓名'] }], ...terms({ purpose: '另一事项' }) } })).body;
      await act(gsj, late.id, 'submit');
      await act(office, late.id, 'accept');
      const stored = (await app.store.requests.get(late.id))!;
      await app.store.requests.update(late.id, { ...stored, deadline: { ...stored.deadline!, due: '2020-01-02' } }, stored.version, SYSTEM);
      expect(await flagOverdue({ store: app.store, now: () => new Date() })).to.equal(1);
      // A revision published to the grant holder, then a withdrawal that hides the entry from it.
      const cur = (await gaj.json(`/api/v1/resources/${e1}`)).body;
      await gaj.json(`/api/v1/resources/${e1}`, { method: 'PUT', json: { ...resourceInput({ name: '常住人口基本信息', abstract: '修订后的摘要' }), version: cur.version } });
      await stepOn(gaj, e1, 'submit');
      await stepOn(office, e1, 'accept');
      await stepOn(reviewer, e1, 'approve');
      const b3 = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [e1] } })).body;
      await batchStep(office, b3.id, 'submit');
      await batchStep(approver, b3.id, 'approve');
      expect((await stepOn(office, e1, 'withdraw', { reason: '数据停止采集' })).body.status).to.equal('withdrawn');
      // A draft of a third agency that nobody else may know of.
      await (await app.as('wsj')).json('/api/v1/resources', { method: 'POST', json: resourceInput({ name: '卫生局内部草稿资源', provider: { agencyId: 'ag-wsj' } }) });

      const notices = (await app.store.notifications.list({ limit: 1000 })).items;
      const all = (await app.store.resources.list({ limit: 1000 })).items;
      const kinds = new Set<string>();
      let checked = 0;
      for (const n of notices) {
        kinds.add(n.title.replace(/[A-Z]{2,3}\d{4}-\d{6}|\d{6,}\/\d{5}/g, '#').replace(/:.*$/, ''));
        for (const [username, u] of Object.entries(USERS)) {
          if (!u.roles.some((r) => n.audience.includes(`${u.agencyId}:${r}`) || n.audience.includes(`*:${r}`))) continue;
          const reader = await app.as(username as keyof typeof USERS);
          const api = `/api/v1${n.link}`;
          const target = await reader.json(api);
          expect(target.status, `${username} opens ${n.link} of "${n.title}"`).to.equal(200);
          const text = `${n.title} ${n.body}`;
          for (const r of all.filter((x) => text.includes(x.name))) {
            const opens = (await reader.json(`/api/v1/resources/${r.id}`)).status === 200 || JSON.stringify(target.body).includes(r.name);
            expect(opens, `${username} is told of "${r.name}" in "${text}"`).to.equal(true);
          }
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(30);
      expect(notices.some((n) => n.body.includes('企业登记信息') && n.audience.includes('ag-gaj:data_steward')), 'gaj is not told of gsj\'s entry').to.equal(false);
      expect(kinds.size, [...kinds].join(' | ')).to.be.at.least(10);
    });
  });

  describe('B26 visibility: leadership reads the catalog, not other agencies\' business; delivery details only under a grant in force', () => {
    it('leadership sees no request or grant of another agency and no unpublished revision', async () => {
      const entry = await published(app, '有条件共享', '常住人口基本信息');
      const [gsj, gaj, leader] = [await app.as('gsj'), await app.as('gaj'), await app.as('leader')];
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: entry.code, items: ['姓名'] }], ...terms() } })).body;
      expect((await leader.json(`/api/v1/requests/${r.id}`)).status).to.equal(404);
      expect((await leader.json('/api/v1/requests?view=all')).status).to.equal(403);
      const open = await published(app, '无条件共享', '法人基本信息');
      const obtained = await gsj.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: [] }], purpose: '登记', scope: '窗口', startsOn: terms().startsOn, endsOn: terms().endsOn } });
      expect(obtained.status).to.equal(201);
      const g = obtained.body;
      expect((await leader.json(`/api/v1/grants/${g.id}`)).status).to.equal(404);
      expect((await leader.json('/api/v1/grants?view=all')).status).to.equal(403);
      // A change under way on a published entry is the provider's and the deciding bodies' business.
      await gaj.json(`/api/v1/resources/${entry.id}`, { method: 'PUT', json: { ...resourceInput({ abstract: '尚未审查的修订' }), version: entry.version } });
      const seen = (await leader.json(`/api/v1/resources/${entry.id}`)).body;
      expect(seen).not.to.have.property('revision');
      expect(JSON.stringify(seen)).not.to.contain('尚未审查的修订');
      expect((await (await app.as('approver')).json(`/api/v1/resources/${entry.id}`)).body.revision.content.abstract).to.equal('尚未审查的修订');
    });

    it('the endpoint a provider gives is the provider\'s, and its holder\'s only while the grant is in force', async () => {
      const entry = await published(app, '有条件共享', '常住人口基本信息');
      const [gsj, gaj, office, reviewer] = [await app.as('gsj'), await app.as('gaj'), await app.as('office'), await app.as('reviewer')];
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: entry.code, items: ['姓名'] }], ...terms() } })).body;
      for (const [c, event, fields] of [[gsj, 'submit', {}], [office, 'accept', {}], [reviewer, 'approve', {}], [gaj, 'provide', DELIVERY]] as const) await act(c, r.id, event, fields);
      const detailOf = async (c: Client) => {
        const body = (await c.json(`/api/v1/requests/${r.id}`)).body;
        return [body.reply.deliveryDetail, body.steps.find((x: { event: string }) => x.event === 'provide').fields.deliveryDetail];
      };
      expect(await detailOf(gaj), 'the provider').to.deep.equal([DELIVERY.deliveryDetail, DELIVERY.deliveryDetail]);
      for (const c of [gsj, office, reviewer]) expect(await detailOf(c), 'before the grant').to.deep.equal([WITHHELD, WITHHELD]);
      expect((await gsj.json(`/api/v1/requests/${r.id}`)).body.reply.deliveryMethod).to.equal(DELIVERY.deliveryMethod);
      await act(office, r.id, 'issue_task_order');
      await act(gaj, r.id, 'grant');
      expect(await detailOf(gsj), 'under a grant in force').to.deep.equal([DELIVERY.deliveryDetail, DELIVERY.deliveryDetail]);
      const grantId = (await app.store.requests.get(r.id))!.grantId!;
      expect((await gsj.json(`/api/v1/grants/${grantId}`)).body.delivery.deliveryDetail).to.equal(DELIVERY.deliveryDetail);
      expect((await office.json(`/api/v1/grants/${grantId}`)).body.delivery.deliveryDetail).to.equal(WITHHELD);
      const g = (await office.json(`/api/v1/grants/${grantId}`)).body;
      await office.json(`/api/v1/grants/${grantId}/steps`, { method: 'POST', json: { event: 'suspend', reason: '核查', version: g.version } });
      expect(await detailOf(gsj), 'while suspended').to.deep.equal([WITHHELD, WITHHELD]);
      expect((await gsj.json(`/api/v1/grants/${grantId}`)).body.delivery.deliveryDetail).to.equal(WITHHELD);
      const html = await (await gsj.fetch(`/requests/${r.id}`, { headers: { accept: 'text/html' } })).text();
      expect(html).not.to.contain(DELIVERY.deliveryDetail);
      // Not before it starts, either.
      const stored = (await app.store.grants.get(grantId))!;
      await app.store.grants.update(grantId, { ...stored, state: 'active', startsOn: '2099-01-01', endsOn: '2099-12-31' }, stored.version, SYSTEM);
      expect(await detailOf(gsj), 'before the period starts').to.deep.equal([WITHHELD, WITHHELD]);
    });
  });

  describe('F19 idempotency keys and derived ids', () => {
    const allKeys = () => app.store.idempotency.prune('9999-12-31T00:00:00.000Z');

    it('a request that failed forgets its key, so the corrected retry with the same key goes through, once', async () => {
      const entry = await published(app, '有条件共享', '常住人口基本信息');
      const gsj = await app.as('gsj');
      const headers = { 'idempotency-key': 'apply-0001' };
      const wanted = { resources: [{ code: entry.code, items: ['姓名'] }] };
      const wrong = await gsj.json('/api/v1/requests', { method: 'POST', headers, json: { ...wanted, ...terms({ purpose: '' }) } });
      expect(wrong.status).to.equal(422);
      const fixed = await gsj.json('/api/v1/requests', { method: 'POST', headers, json: { ...wanted, ...terms() } });
      expect(fixed.status, JSON.stringify(fixed.body)).to.equal(201);
      const again = await gsj.json('/api/v1/requests', { method: 'POST', headers, json: { ...wanted, ...terms() } });
      expect(again.status).to.equal(201);
      expect(again.body.id).to.equal(fixed.body.id);
      expect(await app.store.requests.count()).to.equal(1);
      // A step refused for a stale version (409) frees its key too.
      const step = (version: number) => gsj.json(`/api/v1/requests/${fixed.body.id}/steps`, { method: 'POST', headers: { 'idempotency-key': 'submit-1' }, json: { event: 'submit', version } });
      expect((await step(99)).status).to.equal(409);
      expect((await step(fixed.body.version)).status).to.equal(200);
    });

    it('unauthenticated requests never store a key; keys older than a day are pruned', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await app.client().json('/api/v1/requests', { method: 'POST', headers: { 'idempotency-key': `anon-${i}` }, json: {} });
        expect(res.status).to.equal(401);
      }
      expect(await allKeys()).to.equal(0);
      await (await app.as('gsj')).json('/api/v1/notifications/none/read', { method: 'POST', headers: { 'idempotency-key': 'n-1' } });
      const gaj = await app.as('gaj');
      const r = (await gaj.json('/api/v1/resources', { method: 'POST', headers: { 'idempotency-key': 'reg-1' }, json: resourceInput() })).body.resource;
      expect(await pruneIdempotency(app.store, new Date())).to.equal(0);
      expect(await pruneIdempotency(app.store, new Date(Date.now() + 25 * 3600_000))).to.equal(1);
      // Pruned: the same key is free again (a new registration, not the old answer).
      const second = await gaj.json('/api/v1/resources', { method: 'POST', headers: { 'idempotency-key': 'reg-1' }, json: resourceInput({ name: '暂住人口登记信息' }) });
      expect(second.status).to.equal(201);
      expect(second.body.resource.id).not.to.equal(r.id);
    });

    it('an answer holding a secret (an API token) is not kept for a replay; a request that died pending says its outcome is unknown', async () => {
      const sec = await app.as('secadmin');
      const staff = (await app.store.users.getBy('username', 'staff'))!;
      const headers = { 'idempotency-key': 'token-1' };
      const first = await sec.json(`/api/v1/users/${staff.id}/tokens`, { method: 'POST', headers, json: { name: '接口' } });
      expect(first.status).to.equal(201);
      const again = await sec.json(`/api/v1/users/${staff.id}/tokens`, { method: 'POST', headers, json: { name: '接口' } });
      expect(again.status).to.equal(409);
      expect(JSON.stringify(again.body)).not.to.contain(first.body.token);
      const secId = (await app.store.users.getBy('username', 'secadmin'))!.id;
      const kept = await app.store.idempotency.claim({ id: idempotencyId(secId, `post /api/v1/users/${staff.id}/tokens`, 'token-1'), fingerprint: 'x', state: 'pending', createdAt: new Date().toISOString() }, '2000-01-01T00:00:00.000Z');
      expect(kept).to.include({ state: 'done', status: 201 });
      expect(kept).not.to.have.property('body');
      // A request that never finished (a crash after the write) leaves its key pending: after a while, retries learn so.
      const gsj = await app.as('gsj');
      const gsjId = (await app.store.users.getBy('username', 'gsj'))!.id;
      await app.store.idempotency.claim({ id: idempotencyId(gsjId, 'post /api/v1/requests', 'died-1'), fingerprint: createHash('sha256').update(JSON.stringify({})).digest('hex'), state: 'pending', createdAt: new Date(Date.now() - 5 * 60_000).toISOString() }, '2000-01-01T00:00:00.000Z');
      const unknown = await gsj.json('/api/v1/requests', { method: 'POST', headers: { 'idempotency-key': 'died-1' }, json: {} });
      expect(unknown.status).to.equal(409);
      expect(unknown.body.detail_zh).to.contain('结果未知');
    });

    it('a deleted calendar day can be set again (its id is derived from the date): no tombstone blocks it', async () => {
      const sys = await app.as('sysadmin');
      const set = (name: string) => sys.json('/api/v1/calendar/2027-10-01', { method: 'PUT', json: { kind: 'holiday', name } });
      expect((await set('国庆节')).status).to.equal(200);
      expect((await sys.json('/api/v1/calendar/2027-10-01', { method: 'DELETE' })).status).to.equal(204);
      const again = await set('国庆节');
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
      expect((await sys.json('/api/v1/calendar?year=2027')).body.items.map((d: { date: string }) => d.date)).to.deep.equal(['2027-10-01']);
    });
  });

  describe('B22 tokens and sessions act with the account\'s current roles and state', () => {
    const me = (token: string) => app.client().json('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });

    it('a token minted while the account held token roles stops working when it is given a reviewer or audit role, and stays dead after', async () => {
      const u = await account(app, 'switcher', ['agency_staff']);
      const sec = await app.as('secadmin');
      const token = (await sec.json(`/api/v1/users/${u.id}/tokens`, { method: 'POST', json: { name: 'x' } })).body.token as string;
      expect((await me(token)).status).to.equal(200);
      for (const roles of [['reviewer'], ['audit_admin']]) {
        expect((await setRoles(app, u.id, { roles })).status).to.equal(200);
        const res = await me(token);
        expect(res.status, roles[0]).to.equal(401);
        expect(res.body.detail_zh).to.contain('令牌');
      }
      // Back to a business role: the token of the old epoch is revoked, not revived.
      expect((await setRoles(app, u.id, { roles: ['agency_staff'] })).status).to.equal(200);
      expect((await me(token)).status).to.equal(401);
      const listed = (await sec.json(`/api/v1/users/${u.id}/tokens`)).body.items;
      expect(listed.map((t: { revoked: boolean }) => t.revoked)).to.deep.equal([true]);
    });

    it('checks on every request that the account may hold tokens now, even when its roles changed behind the API', async () => {
      const u = await account(app, 'behind', ['data_steward'], 'ag-gaj');
      const token = (await (await app.as('secadmin')).json(`/api/v1/users/${u.id}/tokens`, { method: 'POST', json: { name: 'x' } })).body.token as string;
      expect((await me(token)).status).to.equal(200);
      const cur = (await app.store.users.get(u.id))!;
      await app.store.users.update(u.id, { ...cur, roles: ['data_steward', 'info_office'] }, cur.version, { userId: 'dba', username: 'dba' });
      expect((await me(token)).status).to.equal(401);
      const now = (await app.store.users.get(u.id))!;
      await app.store.users.update(u.id, { ...now, roles: ['data_steward'], disabled: true }, now.version, { userId: 'dba', username: 'dba' });
      expect((await me(token)).status).to.equal(401);
    });

    it('a role change or disabling ends the account\'s sessions at once', async () => {
      await account(app, 'reviewer2', ['reviewer'], 'ag-jcj');
      const c: Client = app.client();
      await c.login('reviewer2', STRONG);
      expect((await c.json('/api/v1/me')).body.roles).to.deep.equal(['reviewer']);
      const id = (await app.store.users.getBy('username', 'reviewer2'))!.id;
      expect((await setRoles(app, id, { roles: ['agency_staff'] })).status).to.equal(200);
      expect((await c.json('/api/v1/me')).status, 'the old session is over').to.equal(401);
      expect((await c.fetch('/dashboard', { headers: { accept: 'text/html' } })).headers.get('location')).to.match(/^\/login/);
      // A new sign-in acts with the new role; disabling ends that session too.
      await c.login('reviewer2', STRONG);
      expect((await c.json('/api/v1/me')).body.roles).to.deep.equal(['agency_staff']);
      expect((await setRoles(app, id, { disabled: true })).status).to.equal(200);
      expect((await c.json('/api/v1/me')).status).to.equal(401);
    });
  });

  describe('B24 four eyes: one person never takes two deciding steps on the same record, whatever roles it holds', () => {
    it('on an entry: who accepted it does not also review it', async () => {
      await account(app, 'dual', ['info_office', 'reviewer'], 'ag-xxb');
      const dual = app.client();
      await dual.login('dual', STRONG);
      const gaj = await app.as('gaj');
      const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
      await stepOn(gaj, r.id, 'submit');
      const accepted = await stepOn(dual, r.id, 'accept');
      expect(accepted.body.status).to.equal('under_review');
      expect(accepted.body.actions, 'not offered').not.to.include('approve');
      const again = await stepOn(dual, r.id, 'approve');
      expect(again.status).to.equal(403);
      expect(again.body.detail_zh).to.contain('四眼原则');
      expect((await stepOn(await app.as('reviewer'), r.id, 'approve')).body.status).to.equal('approved');
    });

    it('on a request: who accepted it does not also approve it; the same body may act again (a second review round)', async () => {
      await account(app, 'dual', ['info_office', 'reviewer'], 'ag-xxb');
      const dual = app.client();
      await dual.login('dual', STRONG);
      const entry = await published(app, '有条件共享', '常住人口基本信息');
      const gsj = await app.as('gsj');
      const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: entry.code, items: ['姓名'] }], ...terms() } })).body;
      await act(gsj, r.id, 'submit');
      expect((await act(dual, r.id, 'accept')).body.actions).to.deep.equal([]);
      const refused = await act(dual, r.id, 'approve');
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.contain('four eyes');
      expect((await act(await app.as('reviewer'), r.id, 'approve')).body.state).to.equal('contact_sheet_issued');
      expect((await app.store.requests.get(r.id))!.steps.map((x) => `${x.event}:${x.by}`)).to.deep.equal(['submit:gsj', 'accept:dual', 'approve:reviewer']);
    });

    it('on a batch: who compiled it, or decided on one of its entries, does not also approve it', async () => {
      await account(app, 'compiler', ['info_office', 'city_approver'], 'ag-xxb');
      await account(app, 'judge', ['reviewer', 'city_approver'], 'ag-fzb');
      const [compiler, judge] = [app.client(), app.client()];
      await compiler.login('compiler', STRONG);
      await judge.login('judge', STRONG);
      const [gaj, office, reviewer, approver] = [await app.as('gaj'), await app.as('office'), await app.as('reviewer'), await app.as('approver')];
      const entry = async (name: string, by: Client) => {
        const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) })).body.resource;
        await stepOn(gaj, r.id, 'submit');
        await stepOn(office, r.id, 'accept');
        await stepOn(by, r.id, 'approve');
        return r.id as string;
      };
      const a = await entry('常住人口基本信息', reviewer);
      const b1 = (await compiler.json('/api/v1/batches', { method: 'POST', json: { resources: [a] } })).body;
      await batchStep(compiler, b1.id, 'submit');
      expect((await compiler.json(`/api/v1/batches/${b1.id}`)).body.actions).to.deep.equal([]);
      const own = await batchStep(compiler, b1.id, 'approve');
      expect(own.status).to.equal(403);
      expect((await batchStep(approver, b1.id, 'approve')).body.state).to.equal('approved');
      const b = await entry('暂住人口登记信息', judge);
      const b2 = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [b] } })).body;
      await batchStep(office, b2.id, 'submit');
      const reviewed = await batchStep(judge, b2.id, 'reject', { reason: '不予批准' });
      expect(reviewed.status).to.equal(403);
      expect(reviewed.body.detail_zh).to.contain('四眼原则');
      expect((await app.store.batches.get(b2.id))!.state).to.equal('submitted');
    });

    it('on a batch: who reviewed an entry does not compile or submit the batch that carries it', async () => {
      await account(app, 'dual', ['reviewer', 'info_office'], 'ag-xxb');
      const dual = app.client();
      await dual.login('dual', STRONG);
      const [gaj, office] = [await app.as('gaj'), await app.as('office')];
      const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
      await stepOn(gaj, r.id, 'submit');
      await stepOn(office, r.id, 'accept');
      expect((await stepOn(dual, r.id, 'approve')).body.status).to.equal('approved');
      const compiled = await dual.json('/api/v1/batches', { method: 'POST', json: { resources: [r.id] } });
      expect(compiled.status).to.equal(422);
      expect(compiled.body.errors[0]).to.include({ pointer: '/resources/0', code: 'four_eyes' });
      const b = (await office.json('/api/v1/batches', { method: 'POST', json: { resources: [r.id] } })).body;
      const submitted = await batchStep(dual, b.id, 'submit');
      expect(submitted.status).to.equal(403);
      expect((await app.store.batches.get(b.id))!.state).to.equal('open');
    });
  });

  describe('B25 weak passwords are refused', () => {
    const create = async (username: string, displayName: string, password: string) => (await app.as('secadmin')).json('/api/v1/users', {
      method: 'POST', json: { username, displayName, agencyId: 'ag-mzj', roles: ['agency_staff'], password },
    });
    for (const [what, password] of [['common', 'password1234'], ['a keyboard walk', '1qaz2wsx3edc'], ['a breached Chinese favourite', 'woaini131452'], ['a name and a year', 'zhangsan12345'], ['too short', 'Xy7$kq']]) {
      it(`refuses ${what} (${password}) with a Chinese message`, async () => {
        const res = await create('weakling', '陈静', password);
        expect(res.status).to.equal(422);
        expect(res.body.errors).to.have.length(1);
        expect(res.body.errors[0]).to.include({ pointer: '/password', code: 'weak_password' });
        expect(res.body.errors[0].message.zh).to.match(/密码/);
        expect(await app.store.users.getBy('username', 'weakling')).to.equal(undefined);
      });
    }
    it('refuses a password containing the username or the name, in characters or pinyin; accepts a strong one', async () => {
      for (const password of ['chenjing.mzj-garden-77', 'my-name-is-陈静-2026', 'ChenJing-Garden-River-77', 'cj-chenjing-2026-ok']) {
        const res = await create('chenjing.mzj', '陈静(市民政局)', password);
        expect(res.status, password).to.equal(422);
        expect(res.body.errors[0].message.zh, password).to.contain('用户名或姓名');
      }
      expect((await create('chenjing.mzj', '陈静(市民政局)', 'orchard-lantern-river-58')).status).to.equal(201);
    });
  });

  describe('B27 static files, anonymous visitors, client errors', () => {
    it('answers Range and conditional headers on static files with 206/416/412/304, never 500', async () => {
      const c = app.client();
      const full = await c.fetch('/static/app.css');
      expect(full.status).to.equal(200);
      const etag = full.headers.get('etag')!;
      const size = Number(full.headers.get('content-length'));
      expect((await c.fetch('/static/app.css', { headers: { range: 'bytes=0-9' } })).status).to.equal(206);
      const beyond = await c.fetch('/static/app.css', { headers: { range: `bytes=${size + 10}-${size + 20}` } });
      expect(beyond.status).to.equal(416);
      expect(beyond.headers.get('content-range')).to.equal(`bytes */${size}`);
      expect((await c.fetch('/static/app.css', { headers: { 'if-match': '"not-the-etag"' } })).status).to.equal(412);
      // As a browser revalidates (fetch() itself adds Cache-Control: no-cache to conditional requests).
      expect((await c.fetch('/static/app.css', { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } })).status).to.equal(304);
      expect((await c.fetch('/static/app.css', { headers: { 'if-unmodified-since': 'Mon, 01 Jan 1990 00:00:00 GMT' } })).status).to.equal(412);
      for (const range of ['bytes=abc', 'bytes=5-1', 'lines=1-2', `bytes=0-1,${'2-3,'.repeat(50)}4-5`]) {
        expect((await c.fetch('/static/app.css', { headers: { range } })).status, range).to.be.oneOf([200, 206, 416]);
      }
    });

    it('logs client errors as a line without a stack, server errors with their cause', async () => {
      const lines: Record<string, unknown>[] = [];
      const record = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => lines.push({ level, msg, ...fields });
      const logged = await startApp({ noIndex: true, log: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
      try {
        const c = logged.client();
        await c.fetch('/static/app.css', { headers: { range: 'bytes=999999-1000000' } });
        await c.json('/api/v1/resources/%E0%A4%A');
        await c.json('/api/v1/resources?limit=abc');
        expect(lines.filter((l) => l.level === 'error'), JSON.stringify(lines)).to.deep.equal([]);
        expect(JSON.stringify(lines)).not.to.contain('    at ');
      } finally {
        await logged.close();
      }
    });

    it('creates no session row for anonymous page views, the login form included', async () => {
      await app.search.rebuild();
      const anon = app.client();
      const before = await sessionRows(app);
      for (const path of ['/login', '/resources', '/search', '/login?next=%2Fdashboard']) {
        const res = await anon.fetch(path, { headers: { accept: 'text/html' } });
        expect(res.status, path).to.equal(200);
        expect(res.headers.getSetCookie().filter((x) => x.startsWith('sid=')), path).to.deep.equal([]);
      }
      expect(await sessionRows(app)).to.equal(before);
      // The login form still works: its token is a signed cookie.
      await anon.login('gaj', PASSWORD);
      expect((await anon.json('/api/v1/me')).status).to.equal(200);
      expect(await sessionRows(app)).to.equal(before + 1);
    });

    it('limits anonymous API reads per address, not signed-in ones', async () => {
      const limited = await startApp({ noIndex: true, config: { anonymousRatePerSecond: 2 } });
      try {
        const anon = limited.client();
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) statuses.push((await anon.json('/api/v1/agencies')).status);
        // A burst of three seconds' worth (6), then one client is held back.
        expect(statuses.slice(0, 6)).to.deep.equal([200, 200, 200, 200, 200, 200]);
        expect(statuses.slice(6)).to.include(429);
        const refused = await anon.json('/api/v1/agencies');
        expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
        expect(refused.body.title_zh).to.equal('请求过于频繁');
        const gaj = await limited.as('gaj');
        for (let i = 0; i < 10; i++) expect((await gaj.json('/api/v1/agencies')).status).to.equal(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('B24 four eyes (accounts): the security administrator keeps the catalog administrable', () => {
    it('cannot disable or demote itself, nor the last active security administrator', async () => {
      const self = (await app.store.users.getBy('username', 'secadmin'))!;
      for (const patch of [{ disabled: true }, { roles: ['agency_staff'] }]) {
        const res = await setRoles(app, self.id, patch);
        expect(res.status).to.equal(422);
        expect(res.body.errors[0].code).to.equal('self_lockout');
      }
      const second = await account(app, 'secadmin2', ['security_admin'], 'ag-xxb');
      const c = app.client();
      await c.login('secadmin2', STRONG);
      // Two administrators: one may demote the other, but not the last one left.
      const demote = await c.json(`/api/v1/users/${self.id}`, { method: 'PUT', json: { roles: ['agency_staff'], version: (await app.store.users.get(self.id))!.version } });
      expect(demote.status, JSON.stringify(demote.body)).to.equal(200);
      const back = await c.json(`/api/v1/users/${second.id}`, { method: 'PUT', json: { disabled: true, version: (await app.store.users.get(second.id))!.version } });
      expect(back.status).to.equal(422);
      expect(back.body.errors[0].code).to.equal('self_lockout');
      expect((await app.store.users.get(second.id))!.disabled).to.equal(false);
      // Whoever else asks (a tool acting as a security administrator): the last one stays.
      const tool = { userId: 'tool', username: 'tool', displayName: '工具', agencyId: 'ag-xxb', roles: ['security_admin' as const] };
      const last = (await app.store.users.get(second.id))!;
      const err = await perform(updateUser, tool, { params: { id: last.id }, query: {}, headers: {}, body: { disabled: true, version: last.version } }, actionContext({ store: app.store, synonyms: new Map(), now: () => new Date() }, tool, 'test'))
        .then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).errors[0].code).to.equal('last_security_admin');
    });
  });
});
