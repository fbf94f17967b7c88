// The search page (GET /search) over HTTP: results, facets and chips, visibility, escaping, errors and paging.

import { expect } from 'chai';
import type { Resource } from '../../server/domain/resource.ts';
import type { SearchEngine } from '../../server/ports/search.ts';
import { type Client, type StartOptions, type TestApp, startApp } from '../support/harness.ts';
import { SYSTEM, storedResource } from '../support/fixtures.ts';

const GSJ = { agencyId: 'ag-gsj', unit: '登记处', code: '11330100000000002X', name: '杭州市工商行政管理局' };
const at = new Date().toISOString();

/** Published, open unless said otherwise; written straight into the store, as the review workflow would leave it. */
const entries: Partial<Resource>[] = [
  {
    id: 'r-qyfr', code: '102001/00001', classNode: '102001', nameKey: 'k1', name: '企业法人登记信息', provider: GSJ, status: 'published', publishedAt: at,
    classification: { classCode: '1', itemCode: '02', entryCode: '001' },
    abstract: '全市企业法人的设立、变更与注销登记信息,供各部门核验企业主体资格。', openness: { isOpen: true },
    dataItems: [{ name: '统一社会信用代码', dataType: 'C', length: 18 }, { name: '企业名称', dataType: 'C', length: 200 }],
    sharing: { type: '无条件共享', method: { category: '共享平台方式', type: '接口' } },
  },
  {
    id: 'r-qyns', code: '102001/00002', classNode: '102001', nameKey: 'k2', name: '企业纳税信用信息', provider: GSJ, status: 'published', publishedAt: at,
    classification: { classCode: '1', itemCode: '02', entryCode: '001' },
    abstract: '企业纳税信用等级评价结果。', openness: { isOpen: false },
  },
  { id: 'r-qynb', code: '102001/00003', classNode: '102001', nameKey: 'k3', name: '企业年度报告草稿', provider: GSJ, status: 'draft', openness: { isOpen: true } },
  { id: 'r-rk', code: '101001/00001', nameKey: 'k4', name: '常住人口基本信息', status: 'published', publishedAt: at, openness: { isOpen: false } },
  {
    id: 'r-xss', code: '102001/00004', classNode: '102001', nameKey: 'k5', name: '<script>alert("x")</script>企业<b>测试</b>', provider: GSJ,
    status: 'published', publishedAt: at, openness: { isOpen: true }, abstract: '摘要里也有 <img src=x onerror=alert(1)> 企业',
    dataItems: [{ name: '企业<i>名称</i>', dataType: 'C', length: 50 }],
    sharing: { type: '不予共享', basis: '法律规定' },
  },
];

async function page(c: Client, path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await c.fetch(path, { headers: { accept: 'text/html' } });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** The attribute-decoded hrefs of links whose class/attributes match. */
function hrefs(html: string, re: RegExp): string[] {
  return [...html.matchAll(re)].map((m) => m[1].replace(/&amp;/g, '&'));
}

function facetSection(html: string, name: string): string {
  const m = new RegExp(`<section class="facet" data-testid="facet-${name}">([\\s\\S]*?)</section>`).exec(html);
  return m ? m[1] : '';
}

/** label → count of one facet, as the page shows it. */
function facetCounts(html: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of facetSection(html, name).matchAll(/<span class="facet-label">([^<]*)<\/span><span class="count" data-testid="count">(\d+)<\/span>/g)) out[m[1]] = Number(m[2]);
  return out;
}

function total(html: string): number {
  return Number(/data-testid="total">(\d+)</.exec(html)?.[1]);
}

function hitCodes(html: string): string[] {
  return [...html.matchAll(/data-testid="hit" data-code="([^"]+)"/g)].map((m) => m[1]);
}

async function start(opts: StartOptions = {}): Promise<TestApp> {
  const app = await startApp(opts);
  for (const e of entries) await app.store.resources.create(storedResource(e), SYSTEM);
  await app.settle();
  return app;
}

describe('HTTP: the search page', () => {
  describe('over a small catalog', () => {
    let app: TestApp;
    before(async () => {
      app = await start();
    });
    after(() => app.close());

    it('shows a signed-in user highlighted results, their details, actions and facets with counts', async () => {
      const staff = await app.as('staff');
      const { status, html, headers } = await page(staff, '/search?q=企业');
      expect(status).to.equal(200);
      expect(headers.get('content-security-policy')).to.contain("script-src 'self'");
      expect(html).to.contain('<html lang="zh-CN">').and.contain('<a href="/search" class="on"');
      // Published entries of every agency; never another agency's draft.
      expect(hitCodes(html)).to.have.members(['102001/00001', '102001/00002', '102001/00004']);
      expect(total(html)).to.equal(3);
      expect(html).to.match(/role="status" aria-live="polite" data-testid="result-count"/);
      expect(html).not.to.contain('企业年度报告草稿');
      // The name and abstract are highlighted; the link leads to the detail page.
      expect(html).to.contain('<a href="/resources/r-qyfr"><mark>企业</mark>法人登记信息</a>');
      expect(html).to.contain('全市<mark>企业</mark>法人的设立');
      expect(html).to.contain('杭州市工商行政管理局').and.contain('更新周期:每日').and.contain('格式:数据库');
      // What the user can do with each entry of another agency.
      expect(html).to.contain('href="/requests/new?resource=102001%2F00001&amp;type=grant" data-testid="action">获取</a>');
      expect(html).to.contain('href="/requests/new?resource=102001%2F00002&amp;type=apply" data-testid="action">申请共享</a>');
      expect(html).to.contain('href="/requests/new?resource=102001%2F00004&amp;type=coordinate" data-testid="action">申请协调</a>');
      expect(html).not.to.contain('登录</a>后可申请共享');
      // Every facet, with its counts.
      expect(facetCounts(html, 'shareType')).to.deep.equal({ 无条件共享: 1, 有条件共享: 1, 不予共享: 1 });
      expect(facetCounts(html, 'agency')).to.deep.equal({ 杭州市工商行政管理局: 3 });
      expect(facetCounts(html, 'open')).to.deep.equal({ 向社会开放: 2, 不向社会开放: 1 });
      expect(facetCounts(html, 'updateCycle')).to.deep.equal({ 每日: 3 });
      expect(facetCounts(html, 'format')).to.deep.equal({ 数据库: 3 });
      expect(facetCounts(html, 'status')).to.deep.equal({ 已发布: 3 });
      for (const name of ['机关', '分类', '共享类型', '格式', '更新周期', '是否开放', '状态']) expect(html).to.contain(`>${name}</h3>`);
      // The sort follows the query: relevance for text. The search box's form sends no sort of its own, so a
      // new text typed after browsing (newest first) is ranked by relevance again.
      expect(html).to.match(/<option value="relevance" selected>相关度<\/option>/);
      const searchForm = /<form id="search-form"[\s\S]*?<\/form>/.exec(html)![0];
      expect(searchForm).not.to.contain('name="sort"');
      const sortForm = /<form class="sort"[\s\S]*?<\/form>/.exec(html)![0];
      expect(sortForm).to.contain('<input type="hidden" name="q" value="企业">').and.contain('<select id="sort" name="sort"');
    });

    it('answers "who holds this data item" in 信息项 mode, with the matched items highlighted', async () => {
      const staff = await app.as('staff');
      const { html } = await page(staff, '/search?q=统一社会信用代码&mode=items');
      expect(hitCodes(html)).to.deep.equal(['102001/00001']);
      expect(html).to.contain('匹配的信息项').and.contain('<li><mark>统一社会信用代码</mark></li>');
      expect(html).to.match(/<input type="radio" name="mode" value="items" checked/);
    });

    it('shows an anonymous visitor only published open entries, and invites them to sign in to apply', async () => {
      const { status, html } = await page(app.client(), '/search?q=企业');
      expect(status).to.equal(200);
      expect(hitCodes(html)).to.have.members(['102001/00001', '102001/00004']);
      expect(html).not.to.contain('企业纳税信用信息').and.not.to.contain('企业年度报告草稿');
      expect(html).not.to.contain('data-testid="action"');
      expect(html).to.contain('登录</a>后可申请共享');
      expect(html).to.contain('href="/login?next=%2Fsearch%3Fq%3D%25E4%25BC%2581%25E4%25B8%259A"');
      // Facet counts never count what the visitor cannot see.
      expect(facetCounts(html, 'open')).to.deep.equal({ 向社会开放: 2 });
      expect(facetCounts(html, 'status')).to.deep.equal({ 已发布: 2 });
      const all = await page(app.client(), '/search');
      expect(hitCodes(all.html)).to.have.members(['102001/00001', '102001/00004']);
      expect(all.html).not.to.contain('常住人口基本信息');
    });

    it('lets a steward find its own agency’s draft, marked as such', async () => {
      const gsj = await app.as('gsj');
      const { html } = await page(gsj, '/search?q=企业');
      expect(hitCodes(html)).to.include('102001/00003');
      expect(html).to.contain('<span class="badge status">草稿</span>');
    });

    it('links facets that add the filter (keeping the query, resetting the page) and chips that remove it', async () => {
      const staff = await app.as('staff');
      const first = await page(staff, '/search?q=企业&sort=name&size=2&page=2');
      const links = hrefs(facetSection(first.html, 'shareType'), /<a href="([^"]+)"/g);
      expect(links).to.include('/search?q=%E4%BC%81%E4%B8%9A&shareType=%E6%9C%89%E6%9D%A1%E4%BB%B6%E5%85%B1%E4%BA%AB&sort=name&size=2');
      for (const l of links) expect(l).not.to.contain('page=');
      // The search form keeps the chosen page size for a new query.
      expect(first.html).to.contain('<input type="hidden" name="size" value="2">').and.contain('<input type="hidden" name="sort" value="name">');

      const filtered = await page(staff, links.find((l) => l.includes('%E6%9C%89%E6%9D%A1%E4%BB%B6'))!);
      expect(filtered.status).to.equal(200);
      expect(hitCodes(filtered.html)).to.deep.equal(['102001/00002']);
      expect(total(filtered.html)).to.equal(1);
      expect(facetCounts(filtered.html, 'shareType')).to.deep.equal({ 有条件共享: 1 });
      // The active value is marked, and its link removes it again.
      expect(facetSection(filtered.html, 'shareType')).to.match(/class="on" aria-current="true"/);
      expect(hrefs(facetSection(filtered.html, 'shareType'), /<a href="([^"]+)"/g)).to.deep.equal(['/search?q=%E4%BC%81%E4%B8%9A&sort=name&size=2']);
      // The chip says what is filtered and removes it; a new query from the box keeps the filter.
      expect(filtered.html).to.match(/data-testid="chip" data-facet="shareType" aria-label="移除条件 共享类型:有条件共享">共享类型:有条件共享/);
      expect(hrefs(filtered.html, /<a class="chip" href="([^"]+)"/g)).to.deep.equal(['/search?q=%E4%BC%81%E4%B8%9A&sort=name&size=2']);
      expect(filtered.html).to.contain('<input type="hidden" name="shareType" value="有条件共享">');

      // Two filters: each chip removes only its own, and 清除全部条件 removes both.
      const two = await page(staff, '/search?q=企业&shareType=无条件共享&open=true');
      expect(hitCodes(two.html)).to.deep.equal(['102001/00001']);
      expect(hrefs(two.html, /<a class="chip" href="([^"]+)"/g)).to.deep.equal([
        '/search?q=%E4%BC%81%E4%B8%9A&open=true', '/search?q=%E4%BC%81%E4%B8%9A&shareType=%E6%97%A0%E6%9D%A1%E4%BB%B6%E5%85%B1%E4%BA%AB',
      ]);
      expect(two.html).to.contain('共享类型:无条件共享').and.contain('是否开放:向社会开放');
      expect(hrefs(two.html, /<a href="([^"]+)" class="clear">/g)).to.deep.equal(['/search?q=%E4%BC%81%E4%B8%9A']);
      // A filter on an agency with no hits still shows the agency's name on its chip.
      const none = await page(staff, '/search?q=企业&agency=ag-gaj');
      expect(total(none.html)).to.equal(0);
      expect(none.html).to.contain('机关:杭州市公安局');
    });

    it('escapes every name, abstract, item and the query itself (no script from the catalog or the URL)', async () => {
      const staff = await app.as('staff');
      const { html } = await page(staff, '/search?q=企业');
      expect(hitCodes(html)).to.include('102001/00004');
      expect(html).not.to.contain('<script>alert').and.not.to.contain('<img src=x').and.not.to.contain('<b>测试').and.not.to.contain('<i>名称');
      // Escaped, and still highlighted.
      expect(html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>企业</mark>&lt;b&gt;测试&lt;/b&gt;');
      expect(html).to.contain('&lt;img src=x onerror=alert(1)&gt; <mark>企业</mark>');
      // The only scripts are the page's own, from /static.
      expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).to.deep.equal(['<script src="/static/app.js" defer>', '<script src="/static/search.js" defer>']);
      expect(html).to.contain('<li><mark>企业</mark>&lt;i&gt;名称&lt;/i&gt;</li>');
      // What the visitor typed comes back escaped: in the box, the count, the advice and the links.
      const reflected = await page(app.client(), '/search?q=' + encodeURIComponent('企业 "><script>alert(2)</script>'));
      expect(reflected.status).to.equal(200);
      expect(reflected.html).not.to.contain('"><script>').and.not.to.contain('<script>alert');
      expect(reflected.html).to.contain('value="企业 &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"');
      expect([...reflected.html.matchAll(/<script\b[^>]*>/g)]).to.have.length(2);
    });

    it('answers an empty result with advice in Chinese, and records the missed query', async () => {
      const staff = await app.as('staff');
      const { status, html } = await page(staff, '/search?q=火星探测器&shareType=无条件共享');
      expect(status).to.equal(200);
      expect(total(html)).to.equal(0);
      expect(html).to.contain('没有找到与“火星探测器”相关的信息资源').and.contain('错别字').and.contain('减少检索词').and.contain('拼音');
      expect(html).to.contain('href="/search?q=%E7%81%AB%E6%98%9F%E6%8E%A2%E6%B5%8B%E5%99%A8&amp;mode=items&amp;shareType=');
      expect(html).to.contain('清除全部筛选条件');
      const misses = await app.store.searchMisses.list({ limit: 100 });
      expect(misses.items.map((m) => m.query)).to.include('火星探测器');
    });

    it('answers bad parameters with a 400 page in Chinese that keeps the search box', async () => {
      const anon = app.client();
      const cases: [string, string][] = [
        ['/search?q=企业&sort=price', '查询参数 sort 应为:relevance、name、updated'],
        ['/search?page=0', '页码从 1 开始'],
        ['/search?page=51', '最多浏览前 1000 条结果'],
        ['/search?size=500', '每页条数应为 1 到 50'],
        ['/search?agency=a%20b', '机关标识格式不正确'],
        ['/search?open=maybe', '查询参数 open 应为 true 或 false'],
        ['/search?colour=red', '不支持的查询参数 colour'],
        ['/search?q=a&q=b', '只能出现一次'],
      ];
      for (const [path, message] of cases) {
        const { status, html } = await page(anon, path);
        expect(status, path).to.equal(400);
        expect(html, path).to.contain('data-testid="search-error"').and.contain('查询参数有误').and.contain(message);
        expect(html, path).to.contain('<input id="q" name="q" type="search"');
        expect(html, path).not.to.contain('data-testid="hit"');
      }
      // The box keeps what was typed.
      expect((await page(anon, '/search?q=企业&sort=price')).html).to.contain('value="企业"');
    });

    it('treats the empty fields a plain form sends as absent', async () => {
      const { status, html } = await page(await app.as('staff'), '/search?q=&mode=all&sort=');
      expect(status).to.equal(200);
      expect(total(html)).to.equal(4);
      // No text: the newest first.
      expect(html).to.match(/<option value="updated" selected>更新时间<\/option>/);
    });
  });

  describe('paging', () => {
    // The engine reports a larger total than the catalog holds, as a catalog of thousands would.
    const manyHits = (e: SearchEngine): SearchEngine => new Proxy(e, {
      get(target, key) {
        if (key === 'query') return async (q: Parameters<SearchEngine['query']>[0]) => ({ ...(await target.query(q)), total: 5000 });
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let app: TestApp;
    before(async () => {
      app = await start({ wrapEngine: manyHits });
    });
    after(() => app.close());

    function pageLinks(html: string): string[] {
      const nav = /<nav class="pager search-pager"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
      return hrefs(nav, /<a href="([^"]+)"/g);
    }
    const pageOf = (href: string) => Number(new URLSearchParams(href.split('?')[1]).get('page') ?? '1');

    it('numbers pages around the current one and never links beyond the first 1000 results', async () => {
      const staff = await app.as('staff');
      const first = await page(staff, '/search?q=企业');
      expect(first.html).to.contain('第 1 / 50 页');
      expect(pageLinks(first.html).map(pageOf)).to.deep.equal([2, 3, 50, 2]);
      expect(first.html).to.contain('<span class="muted" aria-disabled="true">上一页</span>').and.contain('<span class="current" aria-current="page">1</span>');
      expect(first.html).to.contain('仅可浏览前 1000 条结果');

      const middle = await page(staff, '/search?q=企业&page=10');
      expect(pageLinks(middle.html).map(pageOf)).to.deep.equal([9, 1, 8, 9, 11, 12, 50, 11]);
      expect(pageLinks(middle.html)[0]).to.equal('/search?q=%E4%BC%81%E4%B8%9A&page=9');

      for (const size of [20, 50, 7]) {
        const last = Math.floor(1000 / size);
        const end = await page(staff, `/search?q=企业&size=${size}&page=${last}`);
        expect(end.status).to.equal(200);
        const numbers = pageLinks(end.html).map(pageOf);
        expect(Math.max(...numbers)).to.be.at.most(last);
        expect(end.html).not.to.contain('rel="next"');
        expect(end.html).to.contain(`<span class="current" aria-current="page">${last}</span>`);
        // Every page the pager links answers, one past the last is refused.
        for (const href of pageLinks(end.html)) expect(pageOf(href) * size).to.be.at.most(1000);
        expect((await page(staff, `/search?q=企业&size=${size}&page=${last + 1}`)).status).to.equal(400);
      }
    });
  });

  describe('when the index cannot answer', () => {
    let down = false;
    const failing = (e: SearchEngine): SearchEngine => new Proxy(e, {
      get(target, key) {
        if (key === 'query') {
          return async (q: Parameters<SearchEngine['query']>[0]) => {
            if (down) throw new Error('connect ECONNREFUSED 10.0.0.9:9200 index catalog-v1');
            return target.query(q);
          };
        }
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let app: TestApp;
    before(async () => {
      app = await start({ wrapEngine: failing });
    });
    after(() => app.close());

    it('says so in Chinese on the page, with a 503 and Retry-After, and tells nothing of the engine', async () => {
      down = true;
      try {
        const staff = await app.as('staff');
        const { status, html, headers } = await page(staff, '/search?q=企业');
        expect(status).to.equal(503);
        expect(headers.get('retry-after')).to.equal('5');
        expect(html).to.contain('data-testid="search-error"').and.contain('检索服务暂时无法使用').and.contain('检索服务暂不可用,目录登记不受影响,请稍后重试');
        expect(html).to.contain('value="企业"').and.contain('关联编号');
        expect(html).not.to.match(/ECONNREFUSED|9200|catalog-v1/);
      } finally {
        down = false;
      }
      expect((await page(app.client(), '/search?q=企业')).status).to.equal(200);
    });
  });
});
