// Who may see which catalog entries (security-and-reliability.md). Computed once, here, as a filter condition,
// so that reading one record by id and listing (and later searching) can never disagree (the CKAN lesson).

import type { Cond } from '../ports/store.ts';
import type { Resource } from './resource.ts';
import { type Actor, DECIDING_ROLES, hasRole } from './roles.ts';

export type ResourceVisibility =
  | { scope: 'all' }
  | { scope: 'public' }
  | { scope: 'agency'; ownAgencyId?: string };

export function resourceVisibility(actor: Actor | undefined): ResourceVisibility {
  if (!actor) return { scope: 'public' };
  if (hasRole(actor, ...DECIDING_ROLES)) return { scope: 'all' };
  if (hasRole(actor, 'data_steward')) return { scope: 'agency', ownAgencyId: actor.agencyId };
  return { scope: 'agency' };
}

export function visibilityCond(v: ResourceVisibility): Cond | undefined {
  switch (v.scope) {
    case 'all':
      return undefined;
    case 'public':
      return { and: [{ path: 'status', eq: 'published' }, { path: 'openness.isOpen', eq: true }] };
    case 'agency':
      return v.ownAgencyId
        ? { or: [{ path: 'status', eq: 'published' }, { path: 'provider.agencyId', eq: v.ownAgencyId }] }
        : { path: 'status', eq: 'published' };
  }
}

export function canSeeResource(v: ResourceVisibility, r: Resource): boolean {
  switch (v.scope) {
    case 'all':
      return true;
    case 'public':
      return r.status === 'published' && r.openness.isOpen;
    case 'agency':
      return r.status === 'published' || (!!v.ownAgencyId && r.provider.agencyId === v.ownAgencyId);
  }
}

/** Stewards write their own agency's entries only; reviewers and the office read, they do not author. */
export function canWriteResource(actor: Actor | undefined, agencyId: string): boolean {
  return hasRole(actor, 'data_steward') && actor!.agencyId === agencyId;
}
