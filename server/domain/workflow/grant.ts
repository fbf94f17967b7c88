// A grant: the right of one consumer agency to use named data items of named resources, for one purpose and scope,
// for a period (seed §六(三)). Conditional grants come out of a request (request.ts); unconditional ones are given
// at once when a consumer states purpose and scope for a 无条件共享 resource, recorded and audited the same way.

import type { Actor } from '../roles.ts';
import type { Grant, SharingRequest } from './entities.ts';
import { hasRole } from '../roles.ts';
import type { Machine } from './machine.ts';

export const GRANT_STATES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type GrantState = (typeof GRANT_STATES)[number];

export const GRANT_EVENTS = ['suspend', 'resume', 'revoke', 'expire'] as const;
export type GrantEvent = (typeof GRANT_EVENTS)[number];

/** `system`: the clock (a grant past its end date expires whoever looks at it first). */
export type GrantParty = 'info_office' | 'system';
export type GrantKind = 'unconditional' | 'conditional';

export const grantMachine: Machine<GrantState, GrantEvent, GrantParty, GrantKind> = {
  active: {
    suspend: { to: 'suspended', by: 'info_office', needs: ['reason'] },
    revoke: { to: 'revoked', by: 'info_office', needs: ['reason'] },
    expire: { to: 'expired', by: 'system' },
  },
  suspended: {
    resume: { to: 'active', by: 'info_office', needs: ['reason'] },
    revoke: { to: 'revoked', by: 'info_office', needs: ['reason'] },
    expire: { to: 'expired', by: 'system' },
  },
  revoked: {},
  expired: {},
};

export const GRANT_STATE_LABELS: Record<GrantState, string> = { active: '有效', suspended: '已暂停', revoked: '已撤销', expired: '已到期' };
export const GRANT_EVENT_LABELS: Record<GrantEvent, string> = { suspend: '暂停授权', resume: '恢复授权', revoke: '撤销授权', expire: '到期' };

export function grantPartiesOf(actor: Actor | undefined, g: { consumerAgencyId: string }): Set<GrantParty> {
  const out = new Set<GrantParty>();
  if (actor && actor.agencyId !== g.consumerAgencyId && hasRole(actor, 'info_office')) out.add('info_office');
  return out;
}

/**
 * Whether a grant gives access on `today` (a city date): active (not suspended, revoked or expired) and inside its
 * period. Delivery details (endpoints, files, credentials) are shown to its holder only then (issue 9).
 */
export function grantInForce(g: Pick<Grant, 'state' | 'startsOn' | 'endsOn'>, today: string): boolean {
  return g.state === 'active' && g.startsOn <= today && today <= g.endsOn;
}

/** Whether a grant whose period ends on `endsOn` (inclusive, a city date) has run out on `today`. */
export function grantLapsed(endsOn: string, today: string): boolean {
  return today > endsOn;
}

/** The grant a request ends in: its terms, for its applicant; its id follows from the request's, so it is made once. */
export function conditionalGrant(r: SharingRequest, at: string): Grant {
  return {
    id: r.grantId ?? `grant-${r.id}`, version: 1, number: r.number, kind: 'conditional', state: 'active', requestId: r.id,
    consumerAgencyId: r.applicantAgencyId, consumerUserId: r.applicantUserId, providerAgencyId: r.providerAgencyId, resources: r.resources,
    resourceIds: r.resourceIds, purpose: r.purpose, scope: r.scope, startsOn: r.startsOn, endsOn: r.endsOn, steps: [], createdAt: at, updatedAt: at,
    ...(r.reply ? { delivery: { deliveryMethod: r.reply.deliveryMethod, deliveryDetail: r.reply.deliveryDetail, deliverySchedule: r.reply.deliverySchedule } } : {}),
  };
}
