// An agency user searches the demo catalog: suggestions while typing, highlighted results with facet counts, a
// facet that narrows the results (and its chip), then a result's detail page.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { loadSynonyms } from '../../server/compose.ts';
import { loadDemo } from '../../server/seed/load.ts';
import { PASSWORD, type TestApp, startApp } from '../support/harness.ts';
import { describeInBrowser, launch } from '../support/browser.ts';

describeInBrowser('Browser: an agency user searches the catalog', 90_000, () => {

  let app: TestApp;
  let browser: Browser;
  let page: Page;
  // Screenshots are for debugging a failure only; they stay out of the repository.
  const shots = mkdtempSync(join(tmpdir(), 'search-browser-'));
  const errors: string[] = [];
  before(async () => {
    app = await startApp();
    await loadDemo(app.store, loadSynonyms());
    await app.search.rebuild();
    await app.settle();
    browser = await launch();
    page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    // A CSP violation or a script error would show here: the page must run with no inline script or style.
    // (The browser's own request for /favicon.ico, which the app does not serve, is not the page's doing.)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const counts = async (facet: string): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const a of await page.locator(`[data-testid=facet-${facet}] li a`).all()) {
      out[(await a.locator('.facet-label').textContent())!] = Number(await a.locator('[data-testid=count]').textContent());
    }
    return out;
  };
  const total = async () => Number(await page.textContent('[data-testid=total]'));

  it('suggests while typing, shows highlighted results and facets, filters by a facet and opens a result', async () => {
    await page.goto(`${app.url}/search`);
    // Public page: sign in from the header link, and come back.
    await page.click('header .who a[href="/login"]');
    await page.fill('input[name=username]', 'staff');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/resources/);
    await page.click('header nav a[href="/search"]');
    await page.waitForURL(/\/search$/);
    expect(await page.getAttribute('header nav a[href="/search"]', 'aria-current')).to.equal('page');

    // Suggestions come after a pause in typing, as a listbox the keyboard can walk.
    const box = page.locator('#q');
    await box.click();
    await box.pressSequentially('企业', { delay: 50 });
    const options = page.locator('#q-suggestions [role=option]');
    await options.first().waitFor();
    expect(await box.getAttribute('aria-expanded')).to.equal('true');
    expect(await options.count()).to.be.within(1, 8);
    expect(await options.first().locator('mark').first().textContent()).to.equal('企业');
    expect(await page.textContent('#q-suggest-status')).to.contain('条建议');
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).to.equal('q-suggestion-0');
    expect(await options.first().getAttribute('aria-selected')).to.equal('true');
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    expect(await box.getAttribute('aria-activedescendant')).to.equal('q-suggestion-0');
    await page.screenshot({ path: join(shots, '1-suggestions.png') });
    await box.press('Escape');
    expect(await page.isHidden('#q-suggestions')).to.equal(true);

    // Submitting the typed text searches; results are highlighted and counted.
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const before = await total();
    expect(before).to.be.greaterThan(1);
    expect(await page.textContent('[data-testid=result-count]')).to.contain('“企业”').and.contain(`共找到 ${before} 条`);
    // Browsing without text lists the newest first; a text query is ranked by relevance.
    expect(await page.inputValue('#sort')).to.equal('relevance');
    expect(await page.locator('[data-testid=hit] .hit-title mark').count()).to.be.greaterThan(0);
    expect(await page.locator('[data-testid=hit] .hit-title mark').first().textContent()).to.equal('企业');
    const shareCounts = await counts('shareType');
    expect(Object.values(shareCounts).reduce((a, b) => a + b, 0)).to.equal(before);
    await page.screenshot({ path: join(shots, '2-results.png'), fullPage: true });

    // A facet narrows the results to its count, and shows as a removable chip.
    const [chosen, expected] = Object.entries(shareCounts).filter(([, n]) => n < before).sort((a, b) => b[1] - a[1])[0];
    await page.click(`[data-testid=facet-shareType] a[data-value="${chosen}"]`);
    await page.waitForURL((u) => u.searchParams.get('shareType') === chosen);
    expect(await total()).to.equal(expected);
    expect(await counts('shareType')).to.deep.equal({ [chosen]: expected });
    expect(await page.textContent('[data-testid=chip]')).to.contain(`共享类型:${chosen}`);
    const badges = await page.locator('[data-testid=hit] .hit-meta .badge').allTextContents();
    expect(badges.length).to.be.greaterThan(0);
    for (const b of badges) expect(b).to.equal(chosen);
    expect(await page.inputValue('#q')).to.equal('企业');
    await page.screenshot({ path: join(shots, '3-filtered.png'), fullPage: true });

    // Sorting keeps the query and the filter.
    await page.selectOption('#sort', 'name');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'name');
    expect(new URL(page.url()).searchParams.get('shareType')).to.equal(chosen);
    expect(await total()).to.equal(expected);

    // The chip removes the filter again.
    await page.click('[data-testid=chip]');
    await page.waitForURL((u) => !u.searchParams.has('shareType'));
    expect(await total()).to.equal(before);

    // A result opens its detail page.
    const first = page.locator('[data-testid=hit]').first();
    const code = await first.getAttribute('data-code');
    const name = (await first.locator('.hit-title a').textContent())!.trim();
    await first.locator('.hit-title a').click();
    await page.waitForSelector('[data-testid=code]');
    expect(await page.textContent('[data-testid=code]')).to.equal(code);
    expect((await page.textContent('h1'))!.trim()).to.equal(name);
    await page.screenshot({ path: join(shots, '4-detail.png'), fullPage: true });

    expect(errors, errors.join('\n')).to.deep.equal([]);
  });

  it('picks a suggestion with the keyboard, and answers 信息项 mode with the matched data items', async () => {
    await page.goto(`${app.url}/search`);
    const box = page.locator('#q');
    await box.click();
    await box.pressSequentially('统一社会信用代码', { delay: 30 });
    const options = page.locator('#q-suggestions [role=option]');
    await options.first().waitFor();
    const picked = (await options.first().locator('.suggestion-name').textContent())!;
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    expect(await page.inputValue('#q')).to.equal(picked);

    await box.fill('统一社会信用代码');
    await page.check('input[name=mode][value=items]');
    await page.waitForURL((u) => u.searchParams.get('mode') === 'items' && u.searchParams.get('q') === '统一社会信用代码');
    expect(await total()).to.be.greaterThan(0);
    const items = await page.locator('[data-testid=hit]').first().locator('.hit-items mark').allTextContents();
    expect(items.join('')).to.contain('统一社会信用代码');
    await page.screenshot({ path: join(shots, '5-items.png'), fullPage: true });
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });
});
