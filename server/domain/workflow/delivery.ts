// Who may read how shared data is reached (security-and-reliability.md: access details, i.e. endpoints, files and
// credentials, only for holders of an active grant). The provider wrote them and always reads them; the consumer
// agency reads them only while its grant is in force (not before it starts, not while suspended, not after);
// nobody else does, the deciding bodies included: they see the method and the schedule, which is what they decide on.

import type { Actor } from '../roles.ts';
import type { Delivery, WorkflowStep } from './entities.ts';

export const WITHHELD = '(授权生效后仅向使用方显示)';

export function seesDeliveryDetail(actor: Actor | undefined, parties: { providerAgencyId: string; consumerAgencyId: string }, inForce: boolean): boolean {
  if (!actor) return false;
  if (actor.agencyId === parties.providerAgencyId) return true;
  return inForce && actor.agencyId === parties.consumerAgencyId;
}

function redact<D extends Partial<Delivery>>(d: D): D {
  return d.deliveryDetail === undefined ? d : { ...d, deliveryDetail: WITHHELD };
}

/** The record with its endpoint replaced by a note, wherever it appears: the reply, the delivery, the step that gave it. */
export function withoutDeliveryDetail<R extends { reply?: Partial<Delivery>; delivery?: Delivery; steps: WorkflowStep[] }>(r: R): R {
  return {
    ...r,
    ...(r.reply ? { reply: redact(r.reply) } : {}),
    ...(r.delivery ? { delivery: redact(r.delivery) } : {}),
    steps: r.steps.map((s) => (s.fields?.deliveryDetail === undefined ? s : { ...s, fields: redact(s.fields) })),
  };
}
