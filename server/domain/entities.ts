// The aggregates other than the catalog record: reference data, identity, audit and 一数一源 findings.

import type { Overlap } from './overlap.ts';
import type { Role } from './roles.ts';

export type AgencyKind = 'city' | 'department' | 'district' | 'district_department' | 'review_member';

export interface Agency {
  id: string;
  version: number;
  name: string;
  /** Short names users type (发改委); also feed the search synonyms. */
  shortName?: string;
  /** 统一社会信用代码 (GB 32100) or a local organisation code. */
  code: string;
  parentId?: string;
  kind: AgencyKind;
  pilot: boolean;
  /** Member of the review authority (审查机关): 市信息办, 市监察局, 市法制办, 市委保密局. */
  reviewMember: boolean;
}

export interface ClassificationNode {
  id: string;
  version: number;
  /** The concatenated node code, e.g. 1 / 101 / 3070160101. */
  code: string;
  name: string;
  parentCode?: string;
  /** 1 class, 2 item, 3 entry, 4+ sub-entry levels. */
  level: number;
}

export interface User {
  id: string;
  version: number;
  username: string;
  displayName: string;
  agencyId: string;
  roles: Role[];
  passwordHash: string;
  disabled: boolean;
  /** Demo accounts exist only in the embedded demo and say so everywhere they are shown. */
  demo: boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  version: number;
  userId: string;
  name: string;
  /** SHA-256 of the secret: tokens are random 256-bit values, so a fast hash is enough and lookups stay O(1). */
  hash: string;
  createdAt: string;
  expiresAt?: string;
  revoked: boolean;
}

export interface AuditEntry {
  actor: string;
  agencyId?: string;
  roles?: string[];
  action: string;
  object?: string;
  outcome: 'success' | 'denied' | 'refused' | 'failure';
  correlationId?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

/** A 一数一源 overlap recorded for reviewers: a resource lists items another agency is the authoritative source for. */
export interface OverlapFinding extends Overlap {
  id: string;
  version: number;
  resourceId: string;
  resourceCode: string;
  agencyId: string;
  status: 'open' | 'resolved';
  createdAt: string;
}

/** A catalog change the index refused for good (F3): kept for administrators until reconcile or a retry fixes it. */
export interface DeadLetter {
  id: string;
  version: number;
  resourceId: string;
  resourceVersion: number;
  operation: 'upsert' | 'remove';
  reason: string;
  attempts: number;
  status: 'open' | 'resolved';
  createdAt: string;
}

/** A search that found nothing (statistics.md: data people looked for and did not find). No user id: only the agency. */
export interface SearchMiss {
  id: string;
  version: number;
  query: string;
  mode: 'all' | 'items';
  agencyId?: string;
  at: string;
  day: string;
}

/** Failed sign-in attempts per account or per client address (B15), kept in the store so limits survive restarts. */
export interface Throttle {
  id: string;
  version: number;
  /** Start times (ms) of the failures inside the current window. */
  failures: number[];
  lockedUntil?: number;
}
