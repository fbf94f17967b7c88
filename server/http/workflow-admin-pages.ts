// The inbox of every signed-in user, and the system administrator's page for the workflow clocks (deadlines and the
// calendar of holidays and make-up working days).

import type { Router } from 'express';
import type { Services } from '../actions/define.ts';
import { listNotices, readNotice } from '../actions/notices.ts';
import { getDeadlines, listCalendar, removeCalendarDay, setCalendarDay, setDeadlines } from '../actions/workflow-settings.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.ts';
import { type Actor, hasRole } from '../domain/roles.ts';
import { runAction } from './api.ts';
import { csrfProtection, render, requireSignIn, withParams, withQuery } from './view.ts';

/** Only same-site paths: a notice's link is ours, but the check costs nothing. */
function ownPath(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(v) ? v : '/inbox';
}

export function workflowAdminPages(r: Router, services: Services): void {
  r.get('/inbox', requireSignIn, async (req, res) => {
    const page = await runAction(listNotices, withQuery(req, { limit: '100' }), res, services);
    render(req, res, './workflow/inbox', { page });
  });

  /** Opening a notice marks it read and goes where it points. */
  r.post('/inbox/:id', requireSignIn, csrfProtection, async (req, res) => {
    await runAction(readNotice, req, res, services);
    res.redirect(303, ownPath((req.body as Record<string, unknown>).link));
  });

  r.get('/admin/clocks', requireSignIn, async (req, res) => {
    if (!hasRole(res.locals.actor as Actor, 'sys_admin')) throw new ForbiddenError();
    const year = /^\d{4}$/.test(String(req.query.year ?? '')) ? String(req.query.year) : String(services.now().getUTCFullYear());
    const [deadlines, calendar] = await Promise.all([
      runAction(getDeadlines, req, res, services), runAction(listCalendar, withQuery(req, { year }), res, services),
    ]);
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    render(req, res, './workflow/clocks', { deadlines, calendar, year: Number(year), flash });
  });

  r.post('/admin/clocks/deadlines', requireSignIn, csrfProtection, async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      await runAction(setDeadlines, req, res, services, { review: Number(f.review), reply: Number(f.reply), deliberation: Number(f.deliberation), version: Number(f.version) });
      req.session.flash = { notice: '办理时限已保存,新的办理步骤按新时限计算' };
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      req.session.flash = { notice: e instanceof ConflictError ? e.zh : e.errors.map((x) => x.message.zh).join(';') };
    }
    res.redirect(303, '/admin/clocks');
  });

  r.post('/admin/clocks/days', requireSignIn, csrfProtection, async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      if (f.remove === '1') await runAction(removeCalendarDay, withParams(req, { date: f.date }), res, services);
      else await runAction(setCalendarDay, withParams(req, { date: f.date }), res, services, { kind: f.kind, name: f.name });
      req.session.flash = { notice: f.remove === '1' ? `已删除 ${f.date}` : `已保存 ${f.date}` };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      req.session.flash = { notice: e.errors.map((x) => x.message.zh).join(';') };
    }
    res.redirect(303, `/admin/clocks?year=${encodeURIComponent(String(f.date ?? '').slice(0, 4))}`);
  });
}
