// GET /api/v1/search and /search/suggest through HTTP: what agency staff rely on, and what nobody may see (B5-B7).

import { expect } from 'chai';
import type { Resource } from '../../server/domain/resource.ts';
import { addressKey } from '../../server/identity/throttle.ts';
import { type Client, type TestApp, startApp } from '../support/harness.ts';
import { SYSTEM, resourceInput, storedResource } from '../support/fixtures.ts';

/** Entries are published by the workflow (issue 4); until then tests publish through the store. */
export async function publish(app: TestApp, id: string): Promise<Resource> {
  const r = (await app.store.resources.get(id))!;
  return app.store.resources.update(id, { ...r, status: 'published', publishedAt: new Date().toISOString() }, r.version, SYSTEM);
}

async function register(c: Client, over: Parameters<typeof resourceInput>[0]): Promise<Resource> {
  const res = await c.json('/api/v1/resources', { method: 'POST', json: resourceInput(over) });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.resource;
}

describe('HTTP: search', () => {
  let app: TestApp;
  let ids: Record<string, string>;
  before(async () => {
    app = await startApp();
    const gaj = await app.as('gaj');
    const gsj = await app.as('gsj');
    const population = await register(gaj, { name: '常住人口基本信息', openness: { isOpen: true, condition: '仅公开统计汇总' } });
    const enterprise = await register(gsj, {
      name: '企业登记注册信息', provider: { agencyId: 'ag-gsj' }, abstract: '全市企业的登记注册事项,包含统一社会信用代码与法定代表人。',
      dataItems: [{ name: '统一社会信用代码', dataType: 'C', length: 18 }, { name: '企业名称', dataType: 'C', length: 200 }],
      sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '接口' } }, keywords: ['企业'], updateCycle: '实时',
    });
    const refused = await register(gsj, {
      name: '企业信用惩戒内部名单', provider: { agencyId: 'ag-gsj' }, abstract: '内部使用的企业信用名单。',
      dataItems: [{ name: '统一社会信用代码', dataType: 'C', length: 18 }], sharing: { type: '不予共享', basis: '《某法》第十条' }, keywords: [],
    });
    const draft = await register(gaj, {
      name: '重点人员管控草稿信息', abstract: '尚在起草的公安内部资源,绝不能被其他机关检索到。',
      dataItems: [{ name: '统一社会信用代码', dataType: 'C', length: 18 }, { name: '管控等级', dataType: 'C', length: 4 }], keywords: ['管控'],
    });
    for (const r of [population, enterprise, refused]) await publish(app, r.id);
    // A district department's entry: filtering by the district includes it.
    const district = storedResource({ name: '上城区低保家庭信息', provider: { agencyId: 'ag-sc-mzj', code: '11330102000000001X', name: '杭州市上城区民政局' }, status: 'published', classNode: '101001', sharing: { type: '有条件共享', condition: '用于救助核对', method: { category: '共享平台方式', type: '接口' } } });
    await app.store.resources.create(district, SYSTEM);
    await app.settle();
    ids = { population: population.id, enterprise: enterprise.id, refused: refused.id, draft: draft.id, district: district.id };
  });
  after(() => app.close());

  const names = (body: any) => body.hits.map((h: any) => h.name);

  it('finds Chinese words with highlights, provider, share type, cycle, format and the matched data items', async () => {
    const staff = await app.as('staff');
    const res = await staff.json(`/api/v1/search?q=${encodeURIComponent('企业 登记')}`);
    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(1);
    const hit = res.body.hits[0];
    expect(hit).to.include({ name: '企业登记注册信息', shareType: '无条件共享', updateCycle: '实时', formatCategory: '数据库' });
    expect(hit.agency).to.deep.equal({ id: 'ag-gsj', name: '杭州市工商行政管理局' });
    expect(hit.nameHtml).to.equal('<mark>企业登记</mark>注册信息');
    expect(hit.action).to.deep.equal({ kind: 'get', label: '获取', href: `/requests/new?resource=${encodeURIComponent(hit.code)}&type=grant` });
  });

  it('searches inside data items: who holds 统一社会信用代码, by synonym too', async () => {
    const staff = await app.as('staff');
    for (const q of ['统一社会信用代码', '信用代码']) {
      const res = await staff.json(`/api/v1/search?mode=items&q=${encodeURIComponent(q)}`);
      expect(names(res.body).sort(), q).to.deep.equal(['企业信用惩戒内部名单', '企业登记注册信息']);
      expect(res.body.hits[0].matchedItems.map((i: any) => i.name)).to.deep.equal(['统一社会信用代码']);
      expect(res.body.facets.agency).to.deep.equal([{ value: 'ag-gsj', label: '杭州市工商行政管理局', count: 2 }]);
    }
    // 身份证号 is a synonym of 公民身份号码 in mappings/synonyms.txt.
    const res = await staff.json(`/api/v1/search?mode=items&q=${encodeURIComponent('身份证号')}`);
    expect(names(res.body)).to.include('常住人口基本信息');
    expect(res.body.hits[0].matchedItems[0].html).to.equal('<mark>公民身份号码</mark>');
  });

  it('matches pinyin and initials of names and agencies', async () => {
    const staff = await app.as('staff');
    for (const q of ['changzhurenkou', 'czrk', 'renkou']) {
      expect(names((await staff.json(`/api/v1/search?q=${q}`)).body), q).to.include('常住人口基本信息');
    }
    expect(names((await staff.json('/api/v1/search?q=gongshangju')).body).sort()).to.deep.equal(['企业信用惩戒内部名单', '企业登记注册信息']);
  });

  it('offers the action that leads into the sharing workflow for each share type, none on one\'s own entries', async () => {
    const staff = await app.as('staff');
    const res = await staff.json(`/api/v1/search?q=${encodeURIComponent('信息')}&size=50`);
    const byName = new Map(res.body.hits.map((h: any) => [h.name, h.action?.kind]));
    expect(byName.get('企业登记注册信息')).to.equal('get');
    expect(byName.get('常住人口基本信息')).to.equal('apply');
    const refused = await staff.json(`/api/v1/search?q=${encodeURIComponent('惩戒')}`);
    expect(refused.body.hits[0].action.kind).to.equal('coordinate');
    const own = await (await app.as('gsj')).json(`/api/v1/search?q=${encodeURIComponent('企业登记')}`);
    expect(own.body.hits[0].action).to.equal(undefined);
    const anonymous = await app.client().json(`/api/v1/search?q=${encodeURIComponent('人口')}`);
    expect(anonymous.body.hits[0].action).to.equal(undefined);
  });

  it('filters by agency including its sub-agencies, with counts for every facet', async () => {
    const staff = await app.as('staff');
    const district = await staff.json('/api/v1/search?agency=ag-sc');
    expect(names(district.body)).to.deep.equal(['上城区低保家庭信息']);
    const all = await staff.json('/api/v1/search');
    expect(all.body.total).to.equal(4);
    expect(Object.keys(all.body.facets).sort()).to.deep.equal(['agency', 'baseDatabase', 'class', 'format', 'open', 'shareType', 'status', 'updateCycle']);
    expect(all.body.facets.shareType).to.deep.equal([
      { value: '有条件共享', label: '有条件共享', count: 2 }, { value: '不予共享', label: '不予共享', count: 1 }, { value: '无条件共享', label: '无条件共享', count: 1 },
    ]);
    const filtered = await staff.json(`/api/v1/search?shareType=${encodeURIComponent('有条件共享')}&open=false`);
    expect(names(filtered.body)).to.deep.equal(['上城区低保家庭信息']);
  });

  it('sorts by name (pinyin order) and by update time', async () => {
    const staff = await app.as('staff');
    const byName = names((await staff.json('/api/v1/search?sort=name')).body);
    expect(byName).to.deep.equal(['常住人口基本信息', '企业登记注册信息', '企业信用惩戒内部名单', '上城区低保家庭信息']);
  });

  describe('visibility inside the query (B7)', () => {
    const draftQueries = ['重点人员', '管控', 'zhongdianrenyuan'];

    it('another agency\'s draft is absent from hits, totals, facet counts and suggestions', async () => {
      for (const user of ['staff', 'gsj', 'leader', 'auditor'] as const) {
        const c = await app.as(user);
        for (const q of draftQueries) {
          const res = await c.json(`/api/v1/search?q=${encodeURIComponent(q)}`);
          expect(res.body.total, `${user} ${q}`).to.equal(0);
          const suggest = await c.json(`/api/v1/search/suggest?q=${encodeURIComponent(q)}`);
          expect(suggest.body.suggestions, `${user} ${q}`).to.deep.equal([]);
        }
        const items = await c.json(`/api/v1/search?mode=items&q=${encodeURIComponent('统一社会信用代码')}`);
        expect(items.body.total, user).to.equal(2);
        const all = await c.json('/api/v1/search');
        expect(all.body.facets.status, user).to.deep.equal([{ value: 'published', label: '已发布', count: 4 }]);
        expect(all.body.facets.agency.find((b: any) => b.value === 'ag-gaj')?.count, user).to.equal(1);
      }
    });

    it('the owning steward and the reviewing bodies see it', async () => {
      for (const user of ['gaj', 'reviewer', 'office'] as const) {
        const res = await (await app.as(user)).json(`/api/v1/search?q=${encodeURIComponent('重点人员')}`);
        expect(names(res.body), user).to.deep.equal(['重点人员管控草稿信息']);
        expect(res.body.hits[0].status).to.equal('draft');
      }
      const suggest = await (await app.as('gaj')).json(`/api/v1/search/suggest?q=${encodeURIComponent('重点')}`);
      expect(suggest.body.suggestions.map((s: any) => s.text)).to.deep.equal(['重点人员管控草稿信息']);
    });

    it('anonymous visitors find only published entries open to the public', async () => {
      const res = await app.client().json('/api/v1/search');
      expect(names(res.body)).to.deep.equal(['常住人口基本信息']);
      expect(res.body.facets.open).to.deep.equal([{ value: 'true', label: '向社会开放', count: 1 }]);
      const items = await app.client().json(`/api/v1/search?mode=items&q=${encodeURIComponent('统一社会信用代码')}`);
      expect(items.body.total).to.equal(0);
    });
  });

  describe('hostile queries (B5) and paging (B6)', () => {
    it('treats query syntax as plain words, in bounded time, without engine errors', async () => {
      const staff = await app.as('staff');
      const nasty = ['secret:*', 'name:企业 OR 1=1', '/.*/', '企*业?', '('.repeat(199), '\u0000人口', '\u202e人口\u202c', '人口\uFFFD', '{"$gt":""}', '"企业', '\\'];
      for (const q of nasty) {
        const t = Date.now();
        const res = await staff.json(`/api/v1/search?q=${encodeURIComponent(q)}`);
        expect(res.status, q).to.equal(200);
        expect(Date.now() - t, q).to.be.below(1000);
      }
      expect((await staff.json(`/api/v1/search?q=${encodeURIComponent('secret:*')}`)).body.total).to.equal(0);
      expect(names((await staff.json(`/api/v1/search?q=${encodeURIComponent('\u202e人口\u202c')}`)).body)).to.include('常住人口基本信息');
      const invalidUtf8 = await staff.json('/api/v1/search?q=%FF%FE');
      expect([200, 400]).to.include(invalidUtf8.status);
      const long = await staff.json(`/api/v1/search?q=${encodeURIComponent('人'.repeat(300))}`);
      expect(long.status).to.equal(400);
      expect(long.body.errors[0]).to.include({ pointer: '/query/q', code: 'too_long' });
      // A megabyte never reaches the application: Node refuses the request line.
      const huge = await staff.fetch(`/api/v1/search?q=${'a'.repeat(1 << 20)}`);
      expect(huge.status).to.equal(431);
    });

    it('refuses deep paging, huge pages, unknown sorts, facets and fields, and repeated parameters', async () => {
      const staff = await app.as('staff');
      for (const qs of ['page=1000000000', 'size=10000', 'page=0', 'page=21&size=50', 'sort=secret', 'facet=contact', 'highlight=contact', 'q=a&q=b', 'agency[$ne]=x', 'class=1%2A', 'shareType=%E5%AE%8C%E5%85%A8']) {
        const res = await staff.json(`/api/v1/search?${qs}`);
        expect(res.status, qs).to.equal(400);
        expect(res.body.title_zh, qs).to.equal('请求有误');
      }
      expect((await staff.json('/api/v1/search?page=20&size=50')).status).to.equal(200);
    });
  });

  it('suggests names as one types, including pinyin', async () => {
    const staff = await app.as('staff');
    expect((await staff.json(`/api/v1/search/suggest?q=${encodeURIComponent('企业')}`)).body.suggestions.map((s: any) => s.text).sort())
      .to.deep.equal(['企业信用惩戒内部名单', '企业登记注册信息']);
    expect((await staff.json('/api/v1/search/suggest?q=qiyedeng')).body.suggestions[0]).to.include({ text: '企业登记注册信息', agency: '杭州市工商行政管理局' });
  });

  it('records queries that found nothing, for the statistics, without the user', async () => {
    const staff = await app.as('staff');
    await staff.json(`/api/v1/search?q=${encodeURIComponent('无人登记的数据 xyz')}`);
    const misses = await app.store.searchMisses.list({ where: { path: 'query', eq: '无人登记的数据 xyz' } });
    expect(misses.total).to.equal(1);
    expect(misses.items[0]).to.include({ agencyId: 'ag-mzj', mode: 'all' });
    expect(misses.items[0]).to.not.have.property('userId');
    await staff.json(`/api/v1/search?q=${encodeURIComponent('企业')}`);
    expect(await app.store.searchMisses.count()).to.equal(1);
  });

  it('follows a renamed or moved agency: its entries are found by the new name and under the new parent', async () => {
    const admin = await app.as('sysadmin');
    const before = (await admin.json('/api/v1/agencies/ag-sc-mzj')).body;
    const res = await admin.json('/api/v1/agencies/ag-sc-mzj', {
      method: 'PUT', headers: { 'if-match': `"${before.version}"` },
      json: { name: '杭州市上城区社会救助局', shortName: '上城区救助局', code: before.code, kind: before.kind, pilot: before.pilot, reviewMember: before.reviewMember, parentId: 'ag-xs' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const staff = await app.as('staff');
    const byName = await staff.json(`/api/v1/search?q=${encodeURIComponent('社会救助局')}`);
    expect(names(byName.body)).to.deep.equal(['上城区低保家庭信息']);
    expect(byName.body.hits[0].agency.name).to.equal('杭州市上城区社会救助局');
    expect(names((await staff.json('/api/v1/search?agency=ag-xs')).body)).to.deep.equal(['上城区低保家庭信息']);
    expect((await staff.json('/api/v1/search?agency=ag-sc')).body.total).to.equal(0);
    expect((await app.search.reconcile()).altered).to.deep.equal([]);
  });

  it('makes a registered or edited entry searchable within a second', async () => {
    const gaj = await app.as('gaj');
    const started = Date.now();
    const created = await register(gaj, { name: '即时检索测试资源' });
    let found = false;
    while (!found && Date.now() - started < 1000) {
      found = (await gaj.json(`/api/v1/search?q=${encodeURIComponent('即时检索')}`)).body.total === 1;
      if (!found) await new Promise((r) => setTimeout(r, 20));
    }
    expect(found, 'searchable within 1 s').to.equal(true);
    const edited = await gaj.json(`/api/v1/resources/${created.id}`, { method: 'PUT', headers: { 'if-match': `"${created.version}"` }, json: resourceInput({ name: '即时检索改名资源' }) });
    expect(edited.status).to.equal(200);
    const t = Date.now();
    let renamed = false;
    while (!renamed && Date.now() - t < 1000) {
      renamed = (await gaj.json(`/api/v1/search?q=${encodeURIComponent('改名')}`)).body.total === 1;
      if (!renamed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(renamed, 'edit searchable within 1 s').to.equal(true);
    const del = await gaj.fetch(`/api/v1/resources/${created.id}`, { method: 'DELETE', headers: { 'if-match': `"${created.version + 1}"` } });
    expect(del.status).to.equal(204);
    await app.settle();
    expect((await gaj.json(`/api/v1/search?q=${encodeURIComponent('即时检索')}`)).body.total).to.equal(0);
  });
});

describe('HTTP: search and sign-in limits (B15)', () => {
  it('limits searches per client, and a forged X-Forwarded-For does not get around it', async () => {
    const app = await startApp({ config: { searchRatePerSecond: 1 } });
    try {
      const c = app.client();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await c.json('/api/v1/search', { headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status);
      expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
      expect(statuses.slice(3)).to.deep.equal([429, 429]);
      const limited = await c.json('/api/v1/search/suggest?q=x');
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(limited.body.detail_zh).to.equal('请求过于频繁,请稍后再试');
    } finally {
      await app.close();
    }
  });

  it('locks an account after five failed sign-ins, even for the right password, from any forged address', async () => {
    const app = await startApp();
    try {
      for (let i = 0; i < 5; i++) {
        const c = app.client();
        const res = await c.form('/login', { username: 'gaj', password: 'wrong-password' });
        expect(res.headers.get('location')).to.include('failed=1');
      }
      const c = app.client();
      const token = await c.csrf('/login');
      const res = await c.fetch('/login', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'x-forwarded-for': '203.0.113.9' },
        body: new URLSearchParams({ _csrf: token, username: 'gaj', password: 'correct-horse-battery' }).toString(),
      });
      expect(res.status).to.equal(429);
      expect(await res.text()).to.include('登录失败次数过多');
      // Another account from the same address still signs in: the address limit is higher than the account limit.
      await app.client().login('gsj', 'correct-horse-battery');
      const audit = await app.store.audit.list({ action: 'auth.login', limit: 50 });
      expect(audit.items.filter((a) => a.outcome === 'denied').length).to.be.at.least(5);
    } finally {
      await app.close();
    }
  });

  it('counts parallel guesses one by one: at most five passwords are ever checked, and a right one does not unlock', async () => {
    const app = await startApp();
    try {
      const attempts = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const c = app.client();
        const token = await c.csrf('/login');
        return c.fetch('/login', {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          body: new URLSearchParams({ _csrf: token, username: 'gaj', password: i === 10 ? 'correct-horse-battery' : `guess-${i}` }).toString(),
        });
      }));
      const checked = attempts.filter((r) => r.status === 303).length;
      expect(checked).to.be.at.most(5);
      expect(attempts.filter((r) => r.status === 429).length).to.equal(20 - checked);
      const after = app.client();
      const token = await after.csrf('/login');
      const res = await after.fetch('/login', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ _csrf: token, username: 'GAJ ', password: 'correct-horse-battery' }).toString(),
      });
      expect(res.status).to.equal(429);
    } finally {
      await app.close();
    }
  });

  it('keys client addresses so that IPv6 rotation inside one /64 is one client', () => {
    expect(addressKey('203.0.113.9')).to.equal('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).to.equal('203.0.113.9');
    expect(addressKey('2001:db8:0:1::1')).to.equal(addressKey('2001:0db8:0000:0001:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:0:1::1')).to.equal('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:2::1')).to.not.equal(addressKey('2001:db8:0:1::1'));
  });

  it('limits failures per address across accounts (password spraying)', async () => {
    const app = await startApp();
    try {
      for (let i = 0; i < 20; i++) await app.client().form('/login', { username: `nobody${i}`, password: 'x' });
      const c = app.client();
      const token = await c.csrf('/login');
      const res = await c.fetch('/login', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ _csrf: token, username: 'wsj', password: 'correct-horse-battery' }).toString(),
      });
      expect(res.status).to.equal(429);
    } finally {
      await app.close();
    }
  });
});
