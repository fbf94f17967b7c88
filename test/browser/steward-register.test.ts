// A data steward signs in, registers a resource, meets a validation error, fixes it, and sees the saved entry.

import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, type TestApp, startApp } from '../support/harness.ts';
import { describeInBrowser, launch } from '../support/browser.ts';
import { SYSTEM, storedResource } from '../support/fixtures.ts';

describeInBrowser('Browser: a steward registers a resource', 60_000, () => {

  let app: TestApp;
  let browser: Browser;
  let page: Page;
  before(async () => {
    app = await startApp();
    // Another agency is the published authoritative source (一数一源) for 公民身份号码.
    await app.store.resources.create(storedResource({
      code: '102001/00001', name: '企业法人身份核验库', status: 'published', provider: { agencyId: 'ag-gsj', code: 'x', name: '杭州市工商行政管理局' },
      authoritativeSource: ['公民身份号码'], authorityItems: ['公民身份号码'],
    }), SYSTEM);
    browser = await launch();
    page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('signs in, is told what to fix, fixes it and sees the saved entry with its code', async () => {
    mkdirSync('test-results', { recursive: true });
    await page.goto(`${app.url}/resources/new`);
    await expect(page.url()).to.contain('/login');
    await page.fill('input[name=username]', 'gaj');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/resources\/new$/);

    await page.fill('input[name=name]', '流动人口居住登记信息');
    await page.selectOption('select[name=classNode]', '101003');
    await page.fill('input[name=unit]', '人口管理处');
    await page.fill('textarea[name=abstract]', '全市流动人口居住登记、居住证办理及变更信息,供社保、教育、卫生部门核验居住情况。');
    await page.selectOption('select[name=formatCategory]', '数据库');
    await page.selectOption('select[name=formatType]', 'oracle');
    await page.selectOption('select[name=updateCycle]', '每日');
    await page.selectOption('select[name=shareType]', '有条件共享');
    await page.selectOption('select[name=methodCategory]', '共享平台方式');
    await page.selectOption('select[name=methodType]', '接口');
    // Forgotten: the sharing condition, and the length of a character item.
    await page.fill('input[name=item_name_0]', '身份证号');
    await page.selectOption('select[name=item_type_0]', 'C');
    await page.fill('input[name=item_name_1]', '居住地址');
    await page.selectOption('select[name=item_type_1]', 'C');
    await page.fill('input[name=item_length_1]', '200');
    await page.click('button[type=submit].primary');

    await page.waitForSelector('[data-testid=error-summary]');
    const summary = await page.textContent('[data-testid=error-summary]');
    expect(summary).to.contain('共享条件为必填项');
    expect(summary).to.contain('字符型信息项必须填写数据长度');
    expect(await page.locator('textarea[name=shareCondition].invalid').count()).to.equal(1);
    expect(await page.locator('tr.row-error').first().textContent()).to.contain('数据长度');
    // What the steward typed is still there.
    expect(await page.inputValue('input[name=name]')).to.equal('流动人口居住登记信息');
    await page.screenshot({ path: 'test-results/steward-form-errors.png', fullPage: true });

    await page.fill('textarea[name=shareCondition]', '仅限履行法定职责的部门用于居住情况核验');
    await page.fill('input[name=item_length_0]', '18');
    await page.click('button[type=submit].primary');
    await page.waitForSelector('[data-testid=code]');
    expect(await page.textContent('h1')).to.contain('流动人口居住登记信息');
    expect(await page.textContent('[data-testid=code]')).to.match(/^101003\/\d{5}$/);
    expect(await page.textContent('.alert.ok')).to.contain('已保存为草稿');
    // 身份证号 folds to 公民身份号码: the steward is told who the authoritative source is.
    const warning = await page.textContent('[data-testid=overlaps]');
    expect(warning).to.contain('一数一源').and.contain('身份证号').and.contain('杭州市工商行政管理局').and.contain('企业法人身份核验库');
    await page.screenshot({ path: 'test-results/steward-saved.png', fullPage: true });

    const stored = await app.store.resources.list({ where: { path: 'provider.agencyId', eq: 'ag-gaj' } });
    expect(stored.items.map((r) => r.name)).to.deep.equal(['流动人口居住登记信息']);
    expect(stored.items[0].sharing.condition).to.contain('居住情况核验');
  });
});
