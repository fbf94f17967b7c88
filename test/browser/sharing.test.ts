// The conditional-sharing path through the pages, as four people in four browser contexts: a steward of 市工商局
// finds 常住人口基本信息 (市公安局, 有条件共享) by searching and applies from the result; 市信息办 accepts; the review
// authority approves (the contact sheet goes out); 市公安局 agrees to provide; 市信息办 issues the task order; 市公安局
// opens access; the applicant sees the active grant, and the search result now leads to it.

import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadSynonyms } from '../../server/compose.ts';
import { loadDemo } from '../../server/seed/load.ts';
import { PASSWORD, type TestApp, startApp } from '../support/harness.ts';
import { describeInBrowser, launch } from '../support/browser.ts';

describeInBrowser('Browser: a conditional-sharing request from search result to active grant', 120_000, () => {

  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  before(async () => {
    app = await startApp();
    await loadDemo(app.store, loadSynonyms());
    await app.search.rebuild();
    await app.settle();
    browser = await launch();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
  });

  async function signedIn(username: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      // A form sent back with its errors answers 422 on purpose; the browser logs that status as a console error.
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && !/status of 422/.test(m.text())) errors.push(`${username}: ${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`));
    await page.goto(`${app.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/resources/);
    return page;
  }

  /** Opens the request from the viewer's list and takes a step, filling the fields it asks for. */
  async function takeStep(page: Page, number: string, view: string, button: string, fields: Record<string, string> = {}) {
    await page.goto(`${app.url}/requests?view=${view}`);
    await page.click(`[data-testid=requests] a:text("${number}")`);
    const form = page.locator('.step-form', { has: page.locator(`button:text-is("${button}")`) });
    for (const [name, value] of Object.entries(fields)) await form.locator(`[name=${name}]`).fill(value);
    await form.locator('button').click();
    await page.waitForSelector('[role=status]');
  }

  it('walks the whole conditional path through the pages of four users', async () => {
    const applicant = await signedIn('gsj');
    await applicant.goto(`${app.url}/search?q=${encodeURIComponent('常住人口基本信息')}`);
    const result = applicant.locator('[data-testid=hit]', { hasText: '常住人口基本信息' }).first();
    await result.locator('a:text-is("申请共享")').click();
    await applicant.waitForURL(/\/requests\/new\?resource=/);
    expect(await applicant.textContent('h1')).to.equal('申请共享');

    // Submitting with nothing filled in: every missing field is named, in Chinese, and nothing is stored.
    const before = await app.store.requests.count();
    await applicant.fill('[name=purpose]', '');
    await applicant.click('button:text-is("提交申请")');
    expect(await applicant.textContent('[data-testid=error-summary]')).to.contain('请填写用途');
    expect(await app.store.requests.count()).to.equal(before);

    await applicant.fill('[name=purpose]', '核验办理营业执照的法定代表人身份');
    await applicant.fill('[name=scope]', '市工商局登记注册处窗口');
    await applicant.fill('[name=facilities]', '政务外网,部门前置机');
    await applicant.fill('[name=security]', '等保三级,访问日志留存六个月');
    await applicant.fill('[name=basis]', '《市场主体登记管理条例》第十条');
    // Only the items needed.
    for (const box of await applicant.locator('[name=items]').all()) {
      if (!['公民身份号码', '姓名'].includes((await box.getAttribute('value'))!)) await box.uncheck();
    }
    await applicant.click('button:text-is("提交申请")');
    await applicant.waitForURL(/\/requests\/req-/);
    expect(await applicant.textContent('[data-testid=state]')).to.equal('已提交');
    const number = (await applicant.textContent('h1 code'))!.trim();

    const office = await signedIn('office');
    await takeStep(office, number, 'queue', '受理');
    expect(await office.textContent('[data-testid=state]')).to.equal('审查中');
    expect(await office.textContent('[data-testid=deadline]')).to.contain('5 个工作日');

    const reviewer = await signedIn('reviewer');
    await takeStep(reviewer, number, 'queue', '审查通过');
    expect(await reviewer.textContent('[data-testid=state]')).to.equal('已发联系单');

    const provider = await signedIn('gaj');
    await provider.goto(`${app.url}/requests?view=provider`);
    expect(await provider.textContent('[data-testid=requests]')).to.contain(number);
    await provider.click(`[data-testid=requests] a:text("${number}")`);
    // The contact sheet, printable, with its number and parties.
    await provider.click('[data-testid=contact-sheet]');
    const sheet = (await provider.textContent('[data-testid=document]'))!;
    expect(sheet).to.contain('共享政务信息需求联系单').and.contain('LXD').and.contain('市工商局').and.contain('市公安局').and.contain('公民身份号码、姓名');
    // Agreeing without saying how the data is delivered is refused, field by field.
    await takeStepExpectingError(provider, number);
    await takeStep(provider, number, 'provider', '同意提供', {
      deliveryMethod: '共享平台接口', deliveryDetail: 'https://share.example.gov/api/population/v1', deliverySchedule: '实时',
    });
    expect(await provider.textContent('[data-testid=state]')).to.equal('已同意提供');

    await takeStep(office, number, 'queue', '下达任务书');
    await office.click('[data-testid=task-order]');
    expect(await office.textContent('[data-testid=document]')).to.contain('共享政务信息实施任务书').and.contain('RWS').and.contain('共享平台接口');

    await takeStep(provider, number, 'provider', '开通授权');
    expect(await provider.textContent('[data-testid=state]')).to.equal('已授权');

    // The applicant sees its grant, and coming back from search it is shown instead of a new application.
    await applicant.reload();
    expect(await applicant.textContent('[data-testid=state]')).to.equal('已授权');
    await applicant.click('[data-testid=grant-link]');
    expect(await applicant.textContent('[data-testid=grant-state]')).to.equal('有效');
    await applicant.goto(`${app.url}/search?q=${encodeURIComponent('常住人口基本信息')}`);
    await applicant.locator('[data-testid=hit]', { hasText: '常住人口基本信息' }).first().locator('a:text-is("已获授权")').click();
    await applicant.waitForURL(/\/grants\//);
    expect(await applicant.textContent('h1')).to.contain(number);
    expect(errors).to.deep.equal([]);
  });

  it('a refusal with its legal basis goes to the deliberation, whose decision is final', async () => {
    const applicant = await signedIn('wsj');
    await applicant.goto(`${app.url}/search?q=${encodeURIComponent('暂住人口登记信息')}`);
    await applicant.locator('[data-testid=hit]', { hasText: '暂住人口登记信息' }).first().locator('a:text-is("申请共享")').click();
    await applicant.waitForURL(/\/requests\/new\?resource=/);
    for (const [name, value] of Object.entries({ purpose: '传染病密切接触者排查', scope: '疾控中心流调组', facilities: '卫生专网', security: '专人专机', basis: '《传染病防治法》第十二条' })) {
      await applicant.fill(`[name=${name}]`, value);
    }
    await applicant.click('button:text-is("提交申请")');
    await applicant.waitForURL(/\/requests\/req-/);
    const number = (await applicant.textContent('h1 code'))!.trim();
    const [office, reviewer, provider] = [await signedIn('office'), await signedIn('reviewer'), await signedIn('gaj')];
    await takeStep(office, number, 'queue', '受理');
    await takeStep(reviewer, number, 'queue', '审查通过');
    await takeStep(provider, number, 'provider', '拒绝提供', { reason: '涉及个人行踪,超出申请用途所需', basis: '《个人信息保护法》第六条' });
    expect(await provider.textContent('[data-testid=state]')).to.equal('提供方拒绝(待审议)');
    expect(await provider.textContent('[data-testid=deadline]')).to.contain('10 个工作日');
    await takeStep(reviewer, number, 'queue', '维持拒绝', { reason: '可改用核验接口,不需批量提供' });
    expect(await reviewer.textContent('[data-testid=state]')).to.equal('审议维持拒绝');
    expect(await reviewer.locator('[data-testid=actions]').count()).to.equal(0);
    await applicant.reload();
    const steps = (await applicant.textContent('[data-testid=steps]'))!;
    expect(steps).to.contain('拒绝提供').and.contain('《个人信息保护法》第六条').and.contain('维持拒绝');
    expect(errors).to.deep.equal([]);
  });

  async function takeStepExpectingError(page: Page, number: string) {
    await page.goto(`${app.url}/requests?view=provider`);
    await page.click(`[data-testid=requests] a:text("${number}")`);
    await page.locator('.step-form', { has: page.locator('button:text-is("同意提供")') }).locator('button').click();
    expect(await page.textContent('[role=alert]')).to.contain('请补全');
    expect(await page.locator('.field-error').count()).to.equal(3);
  }
});
