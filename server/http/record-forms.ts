// A small form on a record's page that runs one action with the version the page showed and comes back to the page
// with what happened: the pattern of every workflow side step (referrals, consents, violations, confirmations).

import type { Router } from 'express';
import type { Action, Services } from '../actions/define.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { runAction } from './api.ts';
import { csrfProtection, requireSignIn } from './view.ts';

export function recordForm(
  r: Router, services: Services, path: string, action: Action<any, unknown>,
  body: (form: Record<string, string>) => Record<string, unknown>, done: string, back: (params: Record<string, string>) => string,
): void {
  r.post(path, requireSignIn, csrfProtection, async (req, res) => {
    const f = req.body as Record<string, string>;
    try {
      await runAction(action, req, res, services, { ...body(f), version: Number(f.version) });
      req.session.flash = { notice: done };
    } catch (e) {
      // A refusal the person can act on is told on the page; anything else is an error page.
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      req.session.flash = { notice: e instanceof ConflictError ? e.zh : e.errors.map((x) => x.message.zh).join(';') };
    }
    res.redirect(303, back(req.params as Record<string, string>));
  });
}
