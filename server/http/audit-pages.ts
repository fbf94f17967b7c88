// The audit administrator's page: the log, newest first, filtered by action, and the verification of the whole chain
// against the checkpoint kept outside the store (F20).

import type { Router } from 'express';
import { listAudit } from '../actions/accounts.ts';
import { verifyAudit } from '../actions/audit-trail.ts';
import type { Services } from '../actions/define.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { type Actor, hasRole } from '../domain/roles.ts';
import { runAction } from './api.ts';
import { csrfProtection, render, requireSignIn, withQuery } from './view.ts';

const PAGE = 50;

export function auditPages(r: Router, services: Services): void {
  const show = async (req: Parameters<Parameters<Router['get']>[1]>[0], res: Parameters<Parameters<Router['get']>[1]>[1], verification?: unknown) => {
    if (!hasRole(res.locals.actor as Actor, 'audit_admin')) throw new ForbiddenError();
    const action = typeof req.query.action === 'string' && /^[\w.]{1,64}$/.test(req.query.action) ? req.query.action : '';
    const offset = /^\d{1,7}$/.test(String(req.query.offset ?? '')) ? Number(req.query.offset) : 0;
    const page = await runAction(listAudit, withQuery(req, { ...(action ? { action } : {}), offset: String(offset), limit: String(PAGE) }), res, services);
    render(req, res, './admin/audit', { page, action, offset, size: PAGE, verification, state: services.auditTrail?.state() });
  };
  r.get('/admin/audit', requireSignIn, (req, res) => show(req, res));
  // Verifying reads the whole log: a POST, so a link or a prefetch never starts it.
  r.post('/admin/audit/verify', requireSignIn, csrfProtection, async (req, res) => {
    const verification = await runAction(verifyAudit, withQuery(req, { scope: 'full' }), res, services);
    await show(withQuery(req, {}), res, verification);
  });
}
