// Reference data every installation starts with (loaded on every start when missing).

import type { Actor } from '../domain/roles.ts';
import type { Store } from '../ports/store.ts';
import { referenceAgencies, referenceClassification } from './reference.ts';

export const SEED_ACTOR: Actor = { userId: 'system', username: 'system', displayName: '系统', agencyId: 'ag-xxb', roles: ['sys_admin'] };

export type Progress = (stage: string, done: number, total: number) => void;

/** Seeds the agency and classification trees into an empty store; an administrator edits them afterwards. */
export async function ensureReferenceData(store: Store): Promise<{ agencies: number; nodes: number }> {
  let agencies = 0;
  let nodes = 0;
  if ((await store.agencies.count()) === 0) agencies = (await store.agencies.createMany(referenceAgencies().map((a) => ({ ...a, version: 1 })), SEED_ACTOR)).length;
  if ((await store.classification.count()) === 0) nodes = (await store.classification.createMany(referenceClassification().map((n) => ({ ...n, version: 1 })), SEED_ACTOR)).length;
  return { agencies, nodes };
}

