// What a workflow step action reads and how a refused step reaches the user, shared by requests and grants.

import { ConflictError, type FieldError, ForbiddenError, ValidationError, fieldError } from '../../domain/errors.ts';
import { type FieldLabel, type FourEyes, type Machine, step } from '../../domain/workflow/machine.ts';
import type { RawInput } from '../define.ts';
import { readId } from '../input.ts';
import { asObject, failIf, readVersion, text } from './terms.ts';

export interface StepInput<E extends string> {
  id: string;
  event: E;
  fields: Record<string, string>;
  /** The version the actor read: a step on a changed record is refused (409). */
  version: number;
}

export function readStepInput<E extends string>(raw: RawInput, events: readonly E[], labels: Readonly<Record<string, FieldLabel>>): StepInput<E> {
  const body = asObject(raw.body, ['event', 'version', ...Object.keys(labels)]);
  const errors: FieldError[] = [];
  const event = body.event;
  if (typeof event !== 'string' || !(events as readonly string[]).includes(event)) {
    errors.push(fieldError('/event', 'enum', `步骤应为:${events.join('、')}`, `event must be one of ${events.join(', ')}`));
  }
  const fields: Record<string, string> = {};
  for (const [f, label] of Object.entries(labels)) {
    const v = text(body, f, [label.zh, label.en], errors, false);
    if (v) fields[f] = v;
  }
  const version = readVersion(body, errors);
  failIf(errors);
  return { id: readId(raw.params), event: event as E, fields, version };
}

/**
 * The next state of a record at `version`, or the refusal as users get it: a changed record or an impossible step
 * 409, someone else's step 403, missing fields 422.
 */
export function nextState<S extends string, E extends string, P extends string, K extends string>(
  machine: Machine<S, E, P, K>,
  record: { state: S; kind: K; version: number },
  input: StepInput<E>,
  parties: ReadonlySet<P>,
  labels: Readonly<Record<string, FieldLabel>>,
  fourEyes?: FourEyes<P>,
): { to: S; clock?: string } {
  if (record.version !== input.version) {
    throw new ConflictError('该事项已被他人处理,请刷新后再试', 'it changed since you read it; reload and try again', record.version);
  }
  const result = step(machine, record.state, input.event, { parties, kind: record.kind, fields: input.fields, labels, fourEyes });
  if (result.ok) return result;
  if (result.code === 'missing-fields') throw new ValidationError(result.errors);
  if (result.code === 'not-your-turn' || result.code === 'four-eyes') throw new ForbiddenError(result.zh, result.en);
  throw new ConflictError(result.zh, result.en, record.version);
}
