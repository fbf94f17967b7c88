// The records the sharing workflow keeps. Each carries its own history of steps (who, when, from, to, what they
// said), appended in the same compare-and-set write as the step itself, so a record and its history never disagree.

import type { GrantKind, GrantState } from './grant.ts';
import type { BatchState } from './publication.ts';
import type { RequestKind, RequestState } from './request.ts';

export interface WorkflowStep<S extends string = string> {
  event: string;
  from: S;
  to: S;
  /** Username and display name of who acted ('system' for the clock). */
  by: string;
  byName: string;
  byAgencyId?: string;
  at: string;
  /** What the actor wrote: a reason, a basis, a delivery method. */
  fields?: Record<string, string>;
}

/** A deadline running on the current step: `clock` names the setting, `due` is the last working day (city date). */
export interface Deadline {
  clock: string;
  days: number;
  since: string;
  due: string;
  /** The actor and 市信息办 were told once that it passed. */
  flagged?: boolean;
}

export interface RequestedResource {
  id: string;
  code: string;
  name: string;
  shareType: string;
  /** The data items wanted (names, as the catalog lists them). */
  items: string[];
}

/** What the applicant states (workflows.md B, draft row). */
export interface RequestTerms {
  purpose: string;
  scope: string;
  facilities: string;
  security: string;
  basis: string;
  /** The period of use, city dates, inclusive. */
  startsOn: string;
  endsOn: string;
}

export interface SharingRequest extends RequestTerms {
  id: string;
  version: number;
  /** 申请编号, e.g. SQ2026-000012. */
  number: string;
  kind: RequestKind;
  state: RequestState;
  applicantAgencyId: string;
  applicantUserId: string;
  providerAgencyId: string;
  resources: RequestedResource[];
  /** Resource ids, flat, to find the requests on an entry. */
  resourceIds: string[];
  /** 《共享政务信息需求联系单》, once the review authority approved. */
  contactSheet?: { number: string; issuedAt: string };
  reply?: Delivery & { at: string; by: string };
  refusal?: { reason: string; basis: string; at: string; by: string };
  deliberation?: { decision: 'upheld' | 'overruled'; reason: string; at: string; by: string };
  /** 《共享政务信息实施任务书》. */
  taskOrder?: { number: string; issuedAt: string };
  grantId?: string;
  deadline?: Deadline;
  steps: WorkflowStep<RequestState>[];
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  deliveryMethod: string;
  /** The endpoint, file or credentials: the provider's, and its grant holder's while the grant is in force. */
  deliveryDetail: string;
  deliverySchedule: string;
}

export interface Grant {
  id: string;
  version: number;
  /** 授权编号, e.g. SQ2026-000012 for a conditional grant's request, GR2026-000031 for an unconditional one. */
  number: string;
  kind: GrantKind;
  state: GrantState;
  requestId?: string;
  consumerAgencyId: string;
  consumerUserId: string;
  providerAgencyId: string;
  resources: RequestedResource[];
  /** Resource ids, flat, to find the grants on an entry. */
  resourceIds: string[];
  purpose: string;
  scope: string;
  startsOn: string;
  endsOn: string;
  /** How the provider delivers (from its reply): method, endpoint or file, schedule. The endpoint is shown only while the grant is in force. */
  delivery?: Delivery;
  steps: WorkflowStep<GrantState>[];
  /** Onward provision outside the agreement needs the provider's written consent, asked and answered here. */
  consents?: Consent[];
  /** Misuse found by 市信息办: what, the rectification ordered (整改), whether a notice of criticism (通报批评) went out. */
  violations?: Violation[];
  createdAt: string;
  updatedAt: string;
}

/** A numbered batch of approved entries submitted to the city government (workflows.md A). */
export interface Batch {
  id: string;
  version: number;
  /** 批次编号, e.g. PC2026-000003. */
  number: string;
  state: BatchState;
  /** Always 'batch': the workflow interpreter reads a kind. */
  kind: 'batch';
  resources: { id: string; code: string; name: string; agencyId: string; agencyName: string }[];
  resourceIds: string[];
  steps: WorkflowStep<BatchState>[];
  createdAt: string;
  updatedAt: string;
  /** Who compiled it: a decision of the information office's, so its compiler does not also approve it (B24). */
  createdBy?: string;
}

/**
 * A notice in the in-app inbox. It is addressed to roles within an agency ("ag-gaj:data_steward") or across all
 * agencies ("*:info_office"), so whoever holds the duty today sees it; each reader marks it read for themselves.
 */
export interface Notification {
  id: string;
  version: number;
  audience: string[];
  title: string;
  body: string;
  /** A page in the app (a path), never an outside address. */
  link: string;
  createdAt: string;
  readBy: string[];
}

/** An administrators' setting; `value` is checked by the action that writes it. */
export interface Setting {
  id: string;
  version: number;
  value: Record<string, number>;
  updatedAt: string;
}

export interface Consent {
  id: string;
  /** Who the consumer wants to pass the data to, and why. */
  recipient: string;
  purpose: string;
  state: 'pending' | 'granted' | 'refused';
  requestedAt: string;
  requestedBy: string;
  answer?: string;
  answeredAt?: string;
  answeredBy?: string;
}

export interface Violation {
  id: string;
  description: string;
  rectification: string;
  /** A notice of criticism (通报批评) was issued. */
  notice: boolean;
  recordedAt: string;
  recordedBy: string;
  rectifiedAt?: string;
  rectifiedNote?: string;
}
