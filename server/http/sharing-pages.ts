// Pages of the sharing workflow (workflows.md B): apply from a search result, follow a request, take the steps one's
// role has on it, print its documents, see grants. They run the same actions as the JSON API, so a step refused
// there is refused here, and each page offers only the steps `actions` lists for its viewer.

import type { Router } from 'express';
import type { Services } from '../actions/define.ts';
import { getResourceByCode } from '../actions/resources/read.ts';
import { getGrant, listGrants, obtainGrant, stepGrant } from '../actions/sharing/grants.ts';
import { answerConsent, askConsent, confirmRectified, isConsumer, isOffice, isProvider, recordViolation } from '../actions/sharing/obligations.ts';
import { createRequest, getRequest, listRequests, stepRequest } from '../actions/sharing/requests.ts';
import { cityDate, isOverdue } from '../domain/calendar.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.ts';
import type { Resource } from '../domain/resource.ts';
import { type Actor, hasRole } from '../domain/roles.ts';
import { GRANT_EVENT_LABELS, GRANT_STATE_LABELS } from '../domain/workflow/grant.ts';
import { transitionFor } from '../domain/workflow/machine.ts';
import {
  REQUEST_EVENT_LABELS, REQUEST_FIELD_LABELS, REQUEST_STATE_LABELS, type RequestEvent, type RequestKind, type RequestState, requestMachine,
} from '../domain/workflow/request.ts';
import { runAction } from './api.ts';
import { recordForm } from './record-forms.ts';
import { csrfProtection, render, requireSignIn, withParams, withQuery } from './view.ts';

const WORDS = {
  states: REQUEST_STATE_LABELS, events: REQUEST_EVENT_LABELS, fields: REQUEST_FIELD_LABELS, grantStates: GRANT_STATE_LABELS, grantEvents: GRANT_EVENT_LABELS,
  kinds: { apply: '申请共享', coordinate: '申请协调' } as Record<RequestKind, string>,
};

/** The fields an event needs, for the form that fires it. */
function needsOf(state: RequestState, event: RequestEvent, kind: RequestKind): readonly string[] {
  return transitionFor(requestMachine, state, event, kind)?.needs ?? [];
}

/** Form fields → the action's body: data items come as repeated `items` checkboxes. */
function requestBody(form: Record<string, unknown>, code: string) {
  const items = form.items === undefined ? [] : Array.isArray(form.items) ? form.items : [form.items];
  const pick = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
  return {
    resources: [{ code, items }], purpose: pick('purpose'), scope: pick('scope'), facilities: pick('facilities'), security: pick('security'),
    basis: pick('basis'), startsOn: pick('startsOn'), endsOn: pick('endsOn'),
  };
}

function errorsByField(e: ValidationError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const err of e.errors) {
    const key = err.pointer.replace(/^\/resources\/\d+\//, '').replace(/^\//, '') || 'form';
    out[key] ??= err.message.zh;
  }
  return out;
}

export function sharingPages(r: Router, services: Services): void {
  /** Agency names for the pages (ids are what the records keep). */
  const agencyName = async () => {
    const names = new Map((await services.store.agencies.list({ limit: 1000 })).items.map((a) => [a.id, a.name]));
    return (id: string) => names.get(id) ?? id;
  };
  const today = () => cityDate(services.now());
  const inAYear = () => new Date(Date.parse(`${today()}T00:00:00Z`) + 364 * 86_400_000).toISOString().slice(0, 10);

  /** The form a search result's action leads to: 获取, 申请共享 or 申请协调, prefilled with the resource. */
  r.get('/requests/new', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const code = typeof req.query.resource === 'string' ? req.query.resource : '';
    const resource = (await runAction(getResourceByCode, withParams(req, { code }), res, services)) as Resource;
    const held = (await runAction(listGrants, withQuery(req, { view: 'mine', resource: resource.id, state: 'active' }), res, services)).items;
    const type = resource.sharing.type === '无条件共享' ? 'grant' : resource.sharing.type === '有条件共享' ? 'apply' : 'coordinate';
    if (!hasRole(actor, 'agency_staff', 'data_steward')) throw new ForbiddenError('只有机关工作人员和数据管理员可以申请共享', 'only agency staff and data stewards apply');
    render(req, res, './sharing/new', {
      resource, type, held, form: { startsOn: today(), endsOn: inAYear(), items: resource.dataItems.map((d) => d.name) }, errors: {}, words: WORDS,
    });
  });

  r.post('/requests', requireSignIn, csrfProtection, async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const code = typeof form.resource === 'string' ? form.resource : '';
    const body = requestBody(form, code);
    try {
      if (form.type === 'grant') {
        const grant = await runAction(obtainGrant, req, res, services, body);
        req.session.flash = { notice: `已获取,授权编号 ${grant.number}` };
        res.redirect(303, `/grants/${grant.id}`);
        return;
      }
      const created = await runAction(createRequest, req, res, services, body);
      let notice = `申请已保存为草稿,编号 ${created.number}`;
      if (form.submit === '1') {
        await runAction(stepRequest, withParams(req, { id: created.id }), res, services, { event: 'submit', version: created.version });
        notice = `申请已提交市信息办,编号 ${created.number}`;
      }
      req.session.flash = { notice };
      res.redirect(303, `/requests/${created.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const resource = (await runAction(getResourceByCode, withParams(req, { code }), res, services)) as Resource;
      const items = form.items === undefined ? [] : Array.isArray(form.items) ? form.items : [form.items];
      render(req, res, './sharing/new', { resource, type: form.type === 'grant' ? 'grant' : resource.sharing.type === '不予共享' ? 'coordinate' : 'apply', held: [], form: { ...form, items }, errors: errorsByField(e), errorList: e.errors, words: WORDS }, 422);
    }
  });

  r.get('/requests', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const views: { key: string; label: string }[] = [];
    if (hasRole(actor, 'agency_staff', 'data_steward')) views.push({ key: 'mine', label: '本单位的申请' });
    if (hasRole(actor, 'data_steward')) views.push({ key: 'provider', label: '待本单位答复' });
    if (hasRole(actor, 'info_office', 'reviewer')) views.push({ key: 'queue', label: '待办' });
    if (hasRole(actor, 'info_office', 'reviewer')) views.push({ key: 'overdue', label: '已超期' }, { key: 'all', label: '全部' });
    if (!views.length) throw new ForbiddenError();
    const view = views.some((v) => v.key === req.query.view) ? String(req.query.view) : views[0].key;
    const page = await runAction(listRequests, withQuery(req, { view, limit: '100' }), res, services);
    render(req, res, './sharing/list', { views, view, page, words: WORDS, ag: await agencyName(), overdue: (due: string) => isOverdue(due, services.now()) });
  });

  r.get('/requests/:id', requireSignIn, async (req, res) => {
    const request = await runAction(getRequest, req, res, services);
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    const actions = request.actions.map((event) => ({ event, label: WORDS.events[event], needs: needsOf(request.state, event, request.kind) }));
    render(req, res, './sharing/request', { r: request, actions, flash, words: WORDS, ag: await agencyName(), overdue: request.deadline ? isOverdue(request.deadline.due, services.now()) : false, errors: {} });
  });

  r.post('/requests/:id/steps', requireSignIn, csrfProtection, async (req, res) => {
    const form = req.body as Record<string, string>;
    const body: Record<string, unknown> = { event: form.event, version: Number(form.version) };
    for (const f of Object.keys(REQUEST_FIELD_LABELS)) if (form[f]) body[f] = form[f];
    try {
      const saved = await runAction(stepRequest, req, res, services, body);
      req.session.flash = { notice: `已办理:${WORDS.events[form.event as RequestEvent] ?? form.event}。当前状态:${WORDS.states[saved.state]}` };
      res.redirect(303, `/requests/${saved.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      const request = await runAction(getRequest, req, res, services);
      const actions = request.actions.map((event) => ({ event, label: WORDS.events[event], needs: needsOf(request.state, event, request.kind) }));
      const errors = e instanceof ValidationError ? errorsByField(e) : {};
      const problem = e instanceof ConflictError ? e.zh : '请补全必填内容';
      render(req, res, './sharing/request', { r: request, actions, words: WORDS, ag: await agencyName(), errors, problem, failedEvent: form.event, form, overdue: false }, e instanceof ConflictError ? 409 : 422);
    }
  });

  /** 《共享政务信息需求联系单》 and 《共享政务信息实施任务书》, printable. */
  for (const kind of ['contact-sheet', 'task-order'] as const) {
    r.get(`/requests/:id/${kind}`, requireSignIn, async (req, res) => {
      const request = await runAction(getRequest, req, res, services);
      const doc = kind === 'contact-sheet' ? request.contactSheet : request.taskOrder;
      if (!doc) throw new ConflictError('该文书尚未出具', 'this document has not been issued yet');
      render(req, res, './sharing/document', { r: request, kind, doc, ag: await agencyName(), words: WORDS });
    });
  }

  r.get('/grants', requireSignIn, async (req, res) => {
    const actor = res.locals.actor as Actor;
    const views = [{ key: 'mine', label: '本单位获得的授权' }, { key: 'provider', label: '本单位提供的授权' }];
    if (hasRole(actor, 'info_office', 'reviewer')) views.push({ key: 'all', label: '全部' });
    const view = views.some((v) => v.key === req.query.view) ? String(req.query.view) : 'mine';
    const page = await runAction(listGrants, withQuery(req, { view, limit: '100' }), res, services);
    render(req, res, './sharing/grants', { views, view, page, words: WORDS, ag: await agencyName() });
  });

  r.get('/grants/:id', requireSignIn, async (req, res) => {
    const grant = await runAction(getGrant, req, res, services);
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    const actor = res.locals.actor as Actor;
    const may = { ask: isConsumer(actor, grant) && grant.state === 'active', answer: isProvider(actor, grant), record: isOffice(actor, grant) };
    render(req, res, './sharing/grant', { g: grant, flash, words: WORDS, ag: await agencyName(), may });
  });

  r.post('/grants/:id/steps', requireSignIn, csrfProtection, async (req, res) => {
    const form = req.body as Record<string, string>;
    try {
      const saved = await runAction(stepGrant, req, res, services, { event: form.event, version: Number(form.version), ...(form.reason ? { reason: form.reason } : {}) });
      req.session.flash = { notice: `已办理:${WORDS.grantEvents[form.event as keyof typeof GRANT_EVENT_LABELS] ?? form.event}` };
      res.redirect(303, `/grants/${saved.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      const grant = await runAction(getGrant, req, res, services);
      render(req, res, './sharing/grant', { g: grant, words: WORDS, ag: await agencyName(), may: { ask: false, answer: false, record: false }, problem: e instanceof ConflictError ? e.zh : '请填写理由' }, e instanceof ConflictError ? 409 : 422);
    }
  });

  /** The obligations after a grant, each a small form on the grant's page that comes back to it. */
  const obligation = (path: string, action: Parameters<typeof recordForm>[3], body: Parameters<typeof recordForm>[4], done: string) =>
    recordForm(r, services, path, action, body, done, (p) => `/grants/${p.id}`);
  obligation('/grants/:id/consents', askConsent, (f) => ({ recipient: f.recipient, purpose: f.purpose }), '已向提供部门申请书面同意');
  obligation('/grants/:id/consents/:consentId/answer', answerConsent, (f) => ({ decision: f.decision, answer: f.answer }), '已答复');
  obligation('/grants/:id/violations', recordViolation, (f) => ({ description: f.description, rectification: f.rectification, notice: f.notice === '1', suspend: f.suspend === '1' }), '已记录并责令整改');
  obligation('/grants/:id/violations/:violationId/rectified', confirmRectified, (f) => ({ note: f.note }), '已确认整改');
}
