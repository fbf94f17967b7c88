// Pages of catalog publication batches (workflows.md A): 市信息办 puts approved entries in a numbered batch and
// submits it; the city government approves (the entries are published) or returns it. A batch's page is its
// printable list.

import type { Router } from 'express';
import type { Services } from '../actions/define.ts';
import listResources from '../actions/resources/list.ts';
import { createBatch, getBatch, listBatches, stepBatch } from '../actions/resources/publish.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { BATCH_EVENT_LABELS, BATCH_STATE_LABELS, type BatchEvent } from '../domain/workflow/publication.ts';
import { runAction } from './api.ts';
import { csrfProtection, render, requireSignIn, withQuery } from './view.ts';

const WORDS = { states: BATCH_STATE_LABELS, events: BATCH_EVENT_LABELS };

export function publicationPages(r: Router, services: Services): void {
  r.get('/batches', requireSignIn, async (req, res) => {
    const page = await runAction(listBatches, withQuery(req, {}), res, services);
    const approved = (await runAction(listResources, withQuery(req, { status: 'approved', limit: '100' }), res, services)).items;
    // Revisions of published entries that the review authority approved wait for a batch too.
    const revised = (await services.store.resources.list({ where: { path: 'revision.status', eq: 'approved' }, limit: 100 })).items;
    approved.push(...revised.map((r) => ({ ...r, name: `${r.name}(修订)` })));
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    render(req, res, './publication/batches', { page, approved, flash, words: WORDS });
  });

  r.post('/batches', requireSignIn, csrfProtection, async (req, res) => {
    const chosen = (req.body as Record<string, unknown>).resources;
    const ids = chosen === undefined ? [] : Array.isArray(chosen) ? chosen : [chosen];
    try {
      const batch = await runAction(createBatch, req, res, services, { resources: ids });
      req.session.flash = { notice: `已编制批次 ${batch.number}(${batch.resourceIds.length} 项)` };
      res.redirect(303, `/batches/${batch.id}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      req.session.flash = { notice: e.errors[0]?.message.zh ?? '请选择审查通过的信息资源' };
      res.redirect(303, '/batches');
    }
  });

  r.get('/batches/:id', requireSignIn, async (req, res) => {
    const batch = await runAction(getBatch, req, res, services);
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    render(req, res, './publication/batch', { b: batch, flash, words: WORDS });
  });

  r.post('/batches/:id/steps', requireSignIn, csrfProtection, async (req, res) => {
    const form = req.body as Record<string, string>;
    try {
      const saved = await runAction(stepBatch, req, res, services, { event: form.event, version: Number(form.version), ...(form.reason ? { reason: form.reason } : {}) });
      const skipped = saved.skipped.length ? `;未能变更:${saved.skipped.join('、')}` : '';
      req.session.flash = { notice: `已办理:${WORDS.events[form.event as BatchEvent] ?? form.event}${skipped}` };
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof ConflictError)) throw e;
      req.session.flash = { notice: e instanceof ConflictError ? e.zh : '请填写理由后再办理' };
    }
    res.redirect(303, `/batches/${req.params.id}`);
  });
}
