// Catalog publication (workflows.md A), as a table. Seed §七(一): agencies put forward their catalogs, the review
// authority reviews them, 市信息办 submits reviewed entries to the city government in numbered batches, and an
// approved batch is published.
//
// Choices where the spec is silent: the city government's approver is an account with the city_approver role (the
// spec names "an approver role"; see roles.ts for why it is not leadership); a returned entry is
// edited in place (it is the steward's again) and resubmitted; batching events move entries, the batch itself has
// its own small table (batchMachine).

import type { ResourceStatus } from '../vocab.ts';
import type { Actor } from '../roles.ts';
import { hasRole } from '../roles.ts';
import type { FieldLabel, Machine } from './machine.ts';

export const PUBLICATION_EVENTS = ['submit', 'accept', 'return', 'approve', 'resubmit', 'batch', 'unbatch', 'submit_batch', 'publish', 'reject_batch', 'withdraw'] as const;
export type PublicationEvent = (typeof PUBLICATION_EVENTS)[number];
export type PublicationParty = 'steward' | 'info_office' | 'reviewer' | 'city_government';

/** The parties whose steps decide on an entry or a batch (four eyes: one person takes at most one of them). */
export const PUBLICATION_DECIDING: ReadonlySet<PublicationParty> = new Set(['info_office', 'reviewer', 'city_government']);

export const publicationMachine: Machine<ResourceStatus, PublicationEvent, PublicationParty> = {
  draft: { submit: { to: 'submitted', by: 'steward' } },
  submitted: {
    accept: { to: 'under_review', by: 'info_office' },
    return: { to: 'returned', by: 'info_office', needs: ['reason'] },
  },
  under_review: {
    approve: { to: 'approved', by: 'reviewer' },
    return: { to: 'returned', by: 'reviewer', needs: ['reason'] },
  },
  returned: { resubmit: { to: 'submitted', by: 'steward' } },
  approved: { batch: { to: 'in_batch', by: 'info_office' } },
  in_batch: {
    unbatch: { to: 'approved', by: 'info_office' },
    submit_batch: { to: 'batch_submitted', by: 'info_office' },
  },
  batch_submitted: {
    publish: { to: 'published', by: 'city_government' },
    reject_batch: { to: 'approved', by: 'city_government', needs: ['reason'] },
  },
  published: { withdraw: { to: 'withdrawn', by: 'info_office', needs: ['reason'] } },
  withdrawn: {},
};

/** Events a person fires on one entry; the others move whole batches (batch.ts actions). */
export const ENTRY_EVENTS: readonly PublicationEvent[] = ['submit', 'accept', 'return', 'approve', 'resubmit', 'withdraw'];

export const PUBLICATION_EVENT_LABELS: Record<PublicationEvent, string> = {
  submit: '提交审查', accept: '受理', return: '退回修改', approve: '审查通过', resubmit: '重新提交', batch: '编入批次', unbatch: '移出批次',
  submit_batch: '报市政府', publish: '批准发布', reject_batch: '退回批次', withdraw: '撤销发布',
};

export const PUBLICATION_FIELD_LABELS: Record<string, FieldLabel> = { reason: { zh: '理由', en: 'reason' } };

/** Who someone is to one entry. The steward of the providing agency puts it forward; the deciders are not of it. */
export function publicationPartiesOf(actor: Actor | undefined, providerAgencyId: string): Set<PublicationParty> {
  const out = new Set<PublicationParty>();
  if (!actor) return out;
  const own = actor.agencyId === providerAgencyId;
  if (own && hasRole(actor, 'data_steward')) out.add('steward');
  if (!own && hasRole(actor, 'info_office')) out.add('info_office');
  if (!own && hasRole(actor, 'reviewer')) out.add('reviewer');
  if (hasRole(actor, 'city_approver')) out.add('city_government');
  return out;
}

/** A batch of approved entries that 市信息办 submits to the city government. */
export const BATCH_STATES = ['open', 'submitted', 'approved', 'rejected'] as const;
export type BatchState = (typeof BATCH_STATES)[number];
export const BATCH_EVENTS = ['submit', 'approve', 'reject'] as const;
export type BatchEvent = (typeof BATCH_EVENTS)[number];

export const batchMachine: Machine<BatchState, BatchEvent, PublicationParty> = {
  open: { submit: { to: 'submitted', by: 'info_office' } },
  submitted: {
    approve: { to: 'approved', by: 'city_government' },
    reject: { to: 'rejected', by: 'city_government', needs: ['reason'] },
  },
  approved: {},
  rejected: {},
};

/** What a batch event does to each of its entries. */
export const BATCH_ENTRY_EVENT: Record<BatchEvent, PublicationEvent> = { submit: 'submit_batch', approve: 'publish', reject: 'reject_batch' };

export const BATCH_STATE_LABELS: Record<BatchState, string> = { open: '编制中', submitted: '已报市政府', approved: '已批准发布', rejected: '已退回' };
export const BATCH_EVENT_LABELS: Record<BatchEvent, string> = { submit: '报市政府', approve: '批准发布', reject: '退回' };
