// A workflow is data: a table of state × event → next state, with the party that may fire the event, the fields the
// event must carry, and the clock the next state starts (architecture.md sketch; workflows.md). `step` is the only
// interpreter: it never reads the store, so every transition, every wrong actor and every missing field is tested on
// the table alone, and the service that persists a step (compare-and-set on the state) stays small.

import { type FieldError, fieldError } from '../errors.ts';

export interface Transition<S extends string, P extends string, K extends string = string> {
  to: S;
  /** The party of the case that may fire it (never a bare role: the reviewer of their own agency's case is not one). */
  by: P;
  /** Fields the event must carry, non-blank (a reason, a legal basis, a delivery method). */
  needs?: readonly string[];
  /** Only for cases of these kinds. */
  kinds?: readonly K[];
  /** The deadline setting started on entering `to` (working days). */
  clock?: string;
}

/** An event leads to one transition, or to one per kind of case (each with `kinds`). */
export type Machine<S extends string, E extends string, P extends string, K extends string = string> = {
  readonly [state in S]: { readonly [event in E]?: Transition<S, P, K> | readonly Transition<S, P, K>[] };
};

/** The row of `event` in `state` that applies to a case of `kind`. */
export function transitionFor<S extends string, E extends string, P extends string, K extends string>(
  machine: Machine<S, E, P, K>, state: S, event: string, kind: K,
): Transition<S, P, K> | undefined {
  const row = (machine[state] as Record<string, Transition<S, P, K> | readonly Transition<S, P, K>[] | undefined> | undefined)?.[event];
  if (!row) return undefined;
  return (Array.isArray(row) ? row : [row as Transition<S, P, K>]).find((t) => !t.kinds || t.kinds.includes(kind));
}

export type StepResult<S extends string> =
  | { ok: true; to: S; clock?: string }
  | { ok: false; code: 'no-such-event'; zh: string; en: string }
  | { ok: false; code: 'not-your-turn'; zh: string; en: string }
  | { ok: false; code: 'four-eyes'; zh: string; en: string }
  | { ok: false; code: 'missing-fields'; errors: FieldError[] };

/**
 * Four eyes (B24): one person never takes two deciding steps on the same record, whatever roles the account holds.
 * `deciding` are the parties whose steps are decisions (not the applicant's or the provider's own acts);
 * `decidedAs` are the parties this person already acted as on the record. A person may repeat a decision of the
 * same party (accept again after a resubmission; deliberate after approving), not take a second party's.
 */
export interface FourEyes<P extends string> {
  deciding: ReadonlySet<P>;
  decidedAs: ReadonlySet<P>;
}

/** The parties `username` acted as in `steps`, read off the table (a step records its event and the state it left). */
export function decidedAs<S extends string, E extends string, P extends string, K extends string>(
  machine: Machine<S, E, P, K>, steps: readonly { event: string; from: string; by: string }[], kind: K, username: string,
): Set<P> {
  const out = new Set<P>();
  for (const s of steps) {
    if (s.by !== username) continue;
    const t = transitionFor(machine, s.from as S, s.event, kind);
    if (t) out.add(t.by);
  }
  return out;
}

function secondDecision<P extends string>(party: P, eyes: FourEyes<P> | undefined): P | undefined {
  if (!eyes?.deciding.has(party)) return undefined;
  return [...eyes.decidedAs].find((q) => q !== party && eyes.deciding.has(q));
}

export interface FieldLabel {
  zh: string;
  en: string;
}

/** Which event, if any, may be fired now, by whom holding which parties, with what. */
export function step<S extends string, E extends string, P extends string, K extends string>(
  machine: Machine<S, E, P, K>,
  state: S,
  event: string,
  ctx: { parties: ReadonlySet<P>; kind: K; fields: Readonly<Record<string, unknown>>; labels?: Readonly<Record<string, FieldLabel>>; fourEyes?: FourEyes<P> },
): StepResult<S> {
  const t = transitionFor(machine, state, event, ctx.kind);
  if (!t) {
    return { ok: false, code: 'no-such-event', zh: `当前状态下不能执行“${event}”`, en: `"${event}" is not possible in state ${state}` };
  }
  if (!ctx.parties.has(t.by)) return { ok: false, code: 'not-your-turn', zh: '此步骤不由您办理', en: `only the ${t.by} may do "${event}" now` };
  const earlier = secondDecision(t.by, ctx.fourEyes);
  if (earlier) {
    return { ok: false, code: 'four-eyes', zh: '同一人不能在同一事项上作出两个环节的决定(四眼原则),请由其他人员办理', en: `four eyes: you already decided on this record as the ${earlier}; someone else must do "${event}"` };
  }
  const missing = (t.needs ?? []).filter((f) => {
    const v = ctx.fields[f];
    return typeof v !== 'string' || !v.trim();
  });
  if (missing.length) {
    return {
      ok: false, code: 'missing-fields',
      errors: missing.map((f) => fieldError(`/${f}`, 'required', `请填写${ctx.labels?.[f]?.zh ?? f}`, `${ctx.labels?.[f]?.en ?? f} is required`)),
    };
  }
  return { ok: true, to: t.to, ...(t.clock ? { clock: t.clock } : {}) };
}

/** The events a holder of `parties` can fire in `state` (what the pages render as buttons). */
export function available<S extends string, E extends string, P extends string, K extends string>(
  machine: Machine<S, E, P, K>, state: S, parties: ReadonlySet<P>, kind: K, fourEyes?: FourEyes<P>,
): E[] {
  return (Object.keys(machine[state]) as E[]).filter((e) => {
    const t = transitionFor(machine, state, e, kind);
    return !!t && parties.has(t.by) && !secondDecision(t.by, fourEyes);
  });
}

/** States with no way out. */
export function terminalStates<S extends string>(machine: Machine<S, string, string>): S[] {
  return (Object.keys(machine) as S[]).filter((s) => Object.keys(machine[s]).length === 0);
}
