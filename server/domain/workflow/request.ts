// The conditional-sharing request (一事一申请), workflows.md B, as a table.
//
// Choices where the spec is silent, and why:
// - One request names resources of one provider agency. The contact sheet goes to one provider, the task order binds
//   two parties; a matter needing several providers is several requests (the form says so).
// - The request ends at `granted`; what follows the grant (active, suspended, revoked, expired) is the grant's own
//   life (grant.ts), because unconditional resources give a grant with no request at all and both must be suspended,
//   revoked and expire the same way.
// - 不予共享 resources come through the same table as a `coordinate` request: 市信息办 takes it straight to the
//   deliberation (审查机关), whose overruling obliges the provider exactly like an overruled refusal.
// - A request can be withdrawn by its applicant until the contact sheet is issued; after that the provider has work
//   in hand and only the review authority's decisions end it.

import type { Resource } from '../resource.ts';
import type { Actor } from '../roles.ts';
import type { RequestedResource } from './entities.ts';
import { hasRole } from '../roles.ts';
import type { FieldLabel, Machine } from './machine.ts';

export const REQUEST_STATES = [
  'draft', 'submitted', 'under_review', 'rejected', 'contact_sheet_issued', 'provided', 'refused', 'coordinating',
  'refusal_upheld', 'refusal_overruled', 'task_order_issued', 'granted', 'withdrawn',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_EVENTS = [
  'submit', 'withdraw', 'accept', 'return', 'approve', 'reject', 'provide', 'refuse', 'uphold', 'overrule', 'issue_task_order', 'grant',
] as const;
export type RequestEvent = (typeof REQUEST_EVENTS)[number];

/** Who someone is to one request. */
export type RequestParty = 'applicant' | 'info_office' | 'reviewer' | 'provider';

/** The parties whose steps decide on a request (four eyes: one person takes at most one of them on a request). */
export const REQUEST_DECIDING: ReadonlySet<RequestParty> = new Set(['info_office', 'reviewer']);

/** `apply`: a 有条件共享 resource; `coordinate`: a 不予共享 resource the applicant needs for its duties. */
export type RequestKind = 'apply' | 'coordinate';

/** Deadline settings (working days) and their defaults from workflows.md; newer rules set other numbers. */
export const REQUEST_CLOCKS = { review: 5, reply: 10, deliberation: 10 } as const;
export type RequestClock = keyof typeof REQUEST_CLOCKS;

export const requestMachine: Machine<RequestState, RequestEvent, RequestParty, RequestKind> = {
  draft: {
    submit: { to: 'submitted', by: 'applicant' },
    withdraw: { to: 'withdrawn', by: 'applicant' },
  },
  submitted: {
    accept: [
      { to: 'under_review', by: 'info_office', kinds: ['apply'], clock: 'review' },
      // A coordination goes straight to the deliberation of the review authority.
      { to: 'coordinating', by: 'info_office', kinds: ['coordinate'], clock: 'deliberation' },
    ],
    return: { to: 'draft', by: 'info_office', needs: ['reason'] },
    withdraw: { to: 'withdrawn', by: 'applicant' },
  },
  under_review: {
    approve: { to: 'contact_sheet_issued', by: 'reviewer', clock: 'reply' },
    reject: { to: 'rejected', by: 'reviewer', needs: ['reason'] },
    withdraw: { to: 'withdrawn', by: 'applicant' },
  },
  rejected: {},
  contact_sheet_issued: {
    provide: { to: 'provided', by: 'provider', needs: ['deliveryMethod', 'deliveryDetail', 'deliverySchedule'] },
    refuse: { to: 'refused', by: 'provider', needs: ['reason', 'basis'], clock: 'deliberation' },
  },
  refused: {
    uphold: { to: 'refusal_upheld', by: 'reviewer', needs: ['reason'] },
    overrule: { to: 'refusal_overruled', by: 'reviewer', needs: ['reason'], clock: 'reply' },
  },
  coordinating: {
    uphold: { to: 'refusal_upheld', by: 'reviewer', needs: ['reason'] },
    overrule: { to: 'refusal_overruled', by: 'reviewer', needs: ['reason'], clock: 'reply' },
  },
  refusal_upheld: {},
  refusal_overruled: {
    // The deliberation is final: the provider provides, it cannot refuse again.
    provide: { to: 'provided', by: 'provider', needs: ['deliveryMethod', 'deliveryDetail', 'deliverySchedule'] },
  },
  provided: {
    issue_task_order: { to: 'task_order_issued', by: 'info_office' },
  },
  task_order_issued: {
    // The provider confirms access is set up as the task order says; the grant starts then.
    grant: { to: 'granted', by: 'provider' },
  },
  granted: {},
  withdrawn: {},
};

export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  draft: '草稿', submitted: '已提交', under_review: '审查中', rejected: '审查未通过', contact_sheet_issued: '已发联系单',
  provided: '已同意提供', refused: '提供方拒绝(待审议)', coordinating: '协调审议中', refusal_upheld: '审议维持拒绝',
  refusal_overruled: '审议要求提供', task_order_issued: '已下达任务书', granted: '已授权', withdrawn: '已撤回',
};

export const REQUEST_EVENT_LABELS: Record<RequestEvent, string> = {
  submit: '提交申请', withdraw: '撤回申请', accept: '受理', return: '退回补正', approve: '审查通过', reject: '审查不通过',
  provide: '同意提供', refuse: '拒绝提供', uphold: '维持拒绝', overrule: '要求提供', issue_task_order: '下达任务书', grant: '开通授权',
};

export const REQUEST_FIELD_LABELS: Record<string, FieldLabel> = {
  reason: { zh: '理由', en: 'reason' },
  basis: { zh: '法律法规或政策依据', en: 'legal or policy basis' },
  deliveryMethod: { zh: '提供方式', en: 'delivery method' },
  deliveryDetail: { zh: '接口地址或文件说明', en: 'endpoint or file' },
  deliverySchedule: { zh: '提供频度与时间安排', en: 'delivery schedule' },
};

/** What the parts of a request that decide who acts look like to the domain. */
export interface RequestParties {
  applicantAgencyId: string;
  providerAgencyId: string;
}

/**
 * The parties `actor` holds on a request. Nobody decides on their own agency's request (workflows.md, B16): a
 * reviewer or an information-office member of the applicant agency is, for that request, only its applicant. Nor does
 * a reviewer of the provider agency review the request or deliberate on the provider's own refusal.
 */
export function requestPartiesOf(actor: Actor | undefined, r: RequestParties): Set<RequestParty> {
  const out = new Set<RequestParty>();
  if (!actor) return out;
  const own = actor.agencyId === r.applicantAgencyId;
  const providing = actor.agencyId === r.providerAgencyId;
  if (own && hasRole(actor, 'agency_staff', 'data_steward')) out.add('applicant');
  if (!own && hasRole(actor, 'info_office')) out.add('info_office');
  if (!own && !providing && hasRole(actor, 'reviewer')) out.add('reviewer');
  if (actor.agencyId === r.providerAgencyId && !own && hasRole(actor, 'data_steward')) out.add('provider');
  return out;
}

/** A catalog entry as a request or grant names it, with the data items wanted. */
export function requestedResource(r: Resource, items: string[]): RequestedResource {
  return { id: r.id, code: r.code, name: r.name, shareType: r.sharing.type, items };
}
