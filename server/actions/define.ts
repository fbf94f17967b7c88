// An action is one operation: how its input is read, who may run it, and what it does, side by side (CKAN).
// Every action declares its permission; the router refuses to mount one that does not (Ghost).

import type { AuditEntry } from '../domain/entities.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError, fieldError } from '../domain/errors.ts';
import { findClassificationMarkings } from '../domain/secrecy.ts';
import { type Actor, type Role, hasRole } from '../domain/roles.ts';
import type { SynonymMap } from '../domain/synonyms.ts';
import type { ReconcileReport } from '../../indexers/rebuild.ts';
import type { IndexSync } from '../../indexers/sync.ts';
import type { RebuildReport, SearchEngine } from '../ports/search.ts';
import type { Store, WriteOptions } from '../ports/store.ts';
import type { AuditTrail } from './audit-trail.ts';

/** The discovery index and what keeps it in step with the store (compose.ts builds it). */
export interface SearchServices {
  engine: SearchEngine;
  sync: IndexSync;
  /** The shared synonym file, inverted for query expansion. */
  groups: ReadonlyMap<string, string[]>;
  /** The search budget (F2): a query that takes longer answers 503. */
  timeoutMs: number;
  rebuild(): Promise<RebuildReport>;
  reconcile(): Promise<ReconcileReport>;
  /** Rewrites the documents of an agency's entries after the agency itself changed (name, tree). */
  agencyChanged(agencyId: string): Promise<number>;
}

export interface Services {
  store: Store;
  synonyms: SynonymMap;
  now(): Date;
  /** Absent only in tools that never search (CLIs); search answers 503 without it. */
  search?: SearchServices;
  /** Verifies the audit chain and checkpoints its head outside the store (absent in tools and some tests). */
  auditTrail?: AuditTrail;
}

export interface ActionContext extends Services {
  correlationId: string;
  /** Appends to the audit log; a failed audit write fails the operation (F17). */
  audit(entry: AuditInput): Promise<void>;
  /**
   * Runs a store write that carries its audit record: `write` passes `opts` to the repository, which appends the
   * record in the same transaction as the change, so neither exists without the other (F17). If the write fails,
   * a failure record follows (best effort: the change did not happen). An operation that is not a store write (a
   * rebuild) calls `audit` first instead.
   */
  audited<T>(entry: AuditInput, write: (opts: WriteOptions) => Promise<T>): Promise<T>;
}

export type AuditInput = Omit<AuditEntry, 'actor' | 'agencyId' | 'roles' | 'correlationId' | 'address' | 'clientRequestId'>;

/** 'public': anyone, signed in or not; 'signed-in': any account; a role list: an account holding one of them. */
export type Permission = 'public' | 'signed-in' | readonly Role[];

export interface Action<I, O> {
  name: string;
  permission: Permission;
  /** Reads untrusted input (body, params, query merged by the router); throws BadRequestError or ValidationError. */
  input(raw: RawInput): I;
  /** Object-level checks beyond the permission; throws ForbiddenError or NotFoundError. */
  authorize?(actor: Actor | undefined, input: I, ctx: ActionContext): Promise<void> | void;
  run(actor: Actor | undefined, input: I, ctx: ActionContext): Promise<O>;
  /** The answer carries a secret shown once (an API token): it is never kept for an Idempotency-Key replay. */
  answerHoldsSecret?: true;
}

export interface RawInput {
  body?: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export function defineAction<I, O>(a: Action<I, O>): Action<I, O> {
  return a;
}

export function checkPermission(p: Permission, actor: Actor | undefined): void {
  if (p === 'public') return;
  if (!actor) throw new UnauthenticatedError();
  if (p === 'signed-in') return;
  if (!hasRole(actor, ...p)) throw new ForbiddenError();
}

/** Keys whose values are never catalog text: a password may contain anything, and says nothing about the data. */
const NOT_SCREENED = new Set(['password', 'version']);

/**
 * The secrecy screen over every free text a user writes (B10, B21), whatever the action: catalog entries, requests,
 * replies, refusals, referrals, consents, violations, batch reasons, names. A marking is refused with 422 before the
 * action reads its input, so nothing is stored, indexed or logged; the attempt is audited with the places it was
 * found, never the text. A record declared 涉密 is audited too (its validation refuses it).
 */
async function screenSecrets(action: Action<unknown, unknown>, body: unknown, ctx: ActionContext): Promise<void> {
  if (!body || typeof body !== 'object') return;
  const pointers = findClassificationMarkings(Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_SCREENED.has(k))));
  const declared = (body as Record<string, unknown>).secrecy === '涉密';
  if (!pointers.length && !declared) return;
  await ctx.audit({ action: `${action.name.split('.')[0]}.secret_refused`, object: action.name, outcome: 'refused', detail: { pointers, declaredSecret: declared } });
  if (!pointers.length) return;
  throw new ValidationError(pointers.map((p) => fieldError(p, 'classified_marking', '内容含有国家秘密标志(绝密/机密/秘密),涉密信息不得纳入共享目录',
    'the text carries a state-secret classification marking; classified information may not enter the catalog')));
}

export async function perform<I, O>(action: Action<I, O>, actor: Actor | undefined, raw: RawInput, ctx: ActionContext): Promise<O> {
  checkPermission(action.permission, actor);
  await screenSecrets(action as Action<unknown, unknown>, raw.body, ctx);
  const input = action.input(raw);
  if (action.authorize) await action.authorize(actor, input, ctx);
  return action.run(actor, input, ctx);
}
