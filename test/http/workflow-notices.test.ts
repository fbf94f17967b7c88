// The inbox, the deadline settings and the holiday calendar, and the overdue list, through the API and the pages.

import { expect } from 'chai';
import { flagOverdue } from '../../server/actions/sharing/requests.ts';
import { addWorkingDays, cityDate, workCalendar } from '../../server/domain/calendar.ts';
import type { Resource } from '../../server/domain/resource.ts';
import { type Client, type TestApp, startApp } from '../support/harness.ts';
import { SYSTEM, resourceInput } from '../support/fixtures.ts';

const today = () => cityDate(new Date());
const inDays = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
// A function, not a constant: a run that crosses the city's midnight would otherwise apply with yesterday's date.
const terms = () => ({ purpose: '核验身份', scope: '登记窗口', facilities: '前置机', security: '等保三级', basis: '条例第十条', startsOn: today(), endsOn: inDays(90) });

async function act(c: Client, id: string, event: string, fields: Record<string, string> = {}) {
  const cur = await c.json(`/api/v1/requests/${id}`);
  return c.json(`/api/v1/requests/${id}/steps`, { method: 'POST', json: { event, version: cur.body.version, ...fields } });
}

describe('HTTP: inbox, deadlines, calendar and overdue steps', () => {
  let app: TestApp;
  let resource: Resource;
  beforeEach(async () => {
    app = await startApp({ noIndex: true });
    const gaj = await app.as('gaj');
    const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
    const stored = (await app.store.resources.get(r.id))!;
    resource = await app.store.resources.update(r.id, { ...stored, status: 'published' }, stored.version, SYSTEM);
  });
  afterEach(() => app.close());

  async function submitted() {
    const gsj = await app.as('gsj');
    const r = (await gsj.json('/api/v1/requests', { method: 'POST', json: { resources: [{ code: resource.code, items: ['姓名'] }], ...terms() } })).body;
    await act(gsj, r.id, 'submit');
    return r;
  }

  it('tells whoever acts next, in their inbox, and each reader marks a notice read for themselves', async () => {
    const [office, reviewer, gaj, wsj] = [await app.as('office'), await app.as('reviewer'), await app.as('gaj'), await app.as('wsj')];
    const r = await submitted();
    const inbox = (await office.json('/api/v1/notifications')).body;
    const note = inbox.items.find((n: { link: string }) => n.link === `/requests/${r.id}`);
    expect(note).to.include({ title: `共享申请 ${r.number}:已提交`, body: '待您办理:受理、退回补正', read: false });
    expect(inbox.unread).to.be.at.least(1);
    expect((await wsj.json('/api/v1/notifications')).body.items).to.have.length(0);
    expect((await office.json(`/api/v1/notifications/${note.id}/read`, { method: 'POST' })).body).to.deep.equal({ id: note.id, read: true });
    expect((await office.json('/api/v1/notifications')).body.items.find((n: { id: string }) => n.id === note.id).read).to.equal(true);
    expect((await wsj.json(`/api/v1/notifications/${note.id}/read`, { method: 'POST' })).status).to.equal(404);
    await act(office, r.id, 'accept');
    await act(reviewer, r.id, 'approve');
    const provider = (await gaj.json('/api/v1/notifications')).body.items;
    expect(provider.map((n: { body: string }) => n.body)).to.include('待您办理:同意提供、拒绝提供');
    // The page: the notice opens its record and is read.
    const html = await (await gaj.fetch('/inbox', { headers: { accept: 'text/html' } })).text();
    expect(html).to.contain(`共享申请 ${r.number}:已发联系单`);
    const id = provider.find((n: { title: string }) => n.title.endsWith('已发联系单')).id;
    const opened = await gaj.form(`/inbox/${id}`, { link: `/requests/${r.id}` }, '/inbox');
    expect(opened.headers.get('location')).to.equal(`/requests/${r.id}`);
  });

  it('deadlines are settings of the system administrator, and holidays and make-up days move the due date', async () => {
    const [office, sysadmin] = [await app.as('office'), await app.as('sysadmin')];
    expect((await office.json('/api/v1/settings/deadlines', { method: 'PUT', json: { review: 3, reply: 10, deliberation: 10 } })).status).to.equal(403);
    expect((await sysadmin.json('/api/v1/settings/deadlines', { method: 'PUT', json: { review: 0, reply: 99, deliberation: 'x' } })).status).to.equal(422);
    const set = await sysadmin.json('/api/v1/settings/deadlines', { method: 'PUT', json: { review: 3, reply: 10, deliberation: 10, version: 0 } });
    expect(set.body).to.include({ review: 3, version: 1 });
    expect((await sysadmin.json('/api/v1/settings/deadlines', { method: 'PUT', json: { review: 4, reply: 10, deliberation: 10, version: 0 } })).status).to.equal(409);
    // The next two working days become holidays: the three-day review ends two working days later.
    const plain = workCalendar([]);
    const holidays = [addWorkingDays(plain, today(), 1), addWorkingDays(plain, today(), 2)];
    for (const date of holidays) {
      expect((await sysadmin.json(`/api/v1/calendar/${date}`, { method: 'PUT', json: { kind: 'holiday', name: '测试假日' } })).status).to.equal(200);
    }
    expect((await sysadmin.json('/api/v1/calendar/2026-02-30', { method: 'PUT', json: { kind: 'holiday', name: 'x' } })).status).to.equal(422);
    expect((await office.json(`/api/v1/calendar/${holidays[0]}`, { method: 'PUT', json: { kind: 'workday', name: 'x' } })).status).to.equal(403);
    const r = await submitted();
    const accepted = (await act(office, r.id, 'accept')).body;
    expect(accepted.deadline).to.include({ clock: 'review', days: 3, due: addWorkingDays(plain, today(), 5) });
    const listed = (await office.json(`/api/v1/calendar?year=${holidays[0].slice(0, 4)}`)).body.items.map((d: { date: string }) => d.date);
    expect(listed).to.include.members(holidays.filter((d) => d.startsWith(holidays[0].slice(0, 4))));
    expect((await sysadmin.fetch(`/api/v1/calendar/${holidays[0]}`, { method: 'DELETE' })).status).to.equal(204);
    const page = await (await sysadmin.fetch('/admin/clocks', { headers: { accept: 'text/html' } })).text();
    expect(page).to.contain('办理时限(工作日)').and.contain('value="3"');
  });

  it('市信息办 sees every step past its deadline, whoever\'s turn it is, marked 已超期', async () => {
    const office = await app.as('office');
    const r = await submitted();
    await act(office, r.id, 'accept');
    expect((await office.json('/api/v1/requests?view=overdue')).body.total).to.equal(0);
    // Time passes: the review's due date is now in the past.
    const stored = (await app.store.requests.get(r.id))!;
    await app.store.requests.update(r.id, { ...stored, deadline: { ...stored.deadline!, due: inDays(-1) } }, stored.version, SYSTEM);
    const late = (await office.json('/api/v1/requests?view=overdue')).body;
    expect(late.items.map((x: { id: string }) => x.id)).to.deep.equal([r.id]);
    const html = await (await office.fetch('/requests?view=overdue', { headers: { accept: 'text/html' } })).text();
    expect(html).to.contain(r.number).and.contain('已超期');
    expect((await (await app.as('gsj')).json('/api/v1/requests?view=overdue')).status).to.equal(403);
    // The clock tells the reviewer whose turn it is and 市信息办, once.
    const services = { store: app.store, now: () => new Date() };
    expect(await flagOverdue(services)).to.equal(1);
    expect(await flagOverdue(services)).to.equal(0);
    const title = (n: { title: string }) => n.title;
    expect((await (await app.as('reviewer')).json('/api/v1/notifications')).body.items.map(title).some((t: string) => t.startsWith(`已超期:共享申请 ${r.number}`))).to.equal(true);
    expect((await office.json('/api/v1/notifications')).body.items.map(title).some((t: string) => t.startsWith(`已超期:共享申请 ${r.number}`))).to.equal(true);
  });

  it('holders of a grant are told when the entry they use is withdrawn', async () => {
    const [staff, office] = [await app.as('staff'), await app.as('office')];
    const stored = (await app.store.resources.get(resource.id))!;
    const open = await app.store.resources.update(resource.id, { ...stored, sharing: { ...stored.sharing, type: '无条件共享' } }, stored.version, SYSTEM);
    const got = await staff.json('/api/v1/grants', { method: 'POST', json: { resources: [{ code: open.code, items: ['姓名'] }], purpose: '核对', scope: '窗口', startsOn: today(), endsOn: inDays(30) } });
    expect(got.status).to.equal(201);
    const withdrawn = await office.json(`/api/v1/resources/${open.id}/steps`, { method: 'POST', json: { event: 'withdraw', version: open.version, reason: '数据停止采集' } });
    expect(withdrawn.body.status).to.equal('withdrawn');
    const notes = (await staff.json('/api/v1/notifications')).body.items;
    expect(notes.map((n: { title: string; body: string; link: string }) => `${n.title}|${n.body}|${n.link}`))
      .to.include(`您使用的信息资源有变更:${open.name}(授权 ${got.body.number})|已撤销发布:数据停止采集|/grants/${got.body.id}`);
  });
});
