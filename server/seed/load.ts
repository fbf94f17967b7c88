// Loading the demo catalog and demo accounts (embedded demo only).

import { randomUUID } from 'node:crypto';
import { buildResource } from '../actions/resources/catalog.ts';
import { classificationCode, resourceCode } from '../domain/codes.ts';
import { authorityItems, findOverlaps } from '../domain/overlap.ts';
import { type Resource, validateResourceInput } from '../domain/resource.ts';
import type { SynonymMap } from '../domain/synonyms.ts';
import { createUser } from '../identity/users.ts';
import type { Store } from '../ports/store.ts';
import { demoResources } from './demo-catalog.ts';
import { loadDemoSharing } from './demo-sharing.ts';
import { DEMO_USERS } from './demo-users.ts';
import { type Progress, SEED_ACTOR } from './bootstrap.ts';

/** Loads the demo catalog and demo accounts. Every demo record passes the same validation as a steward's. */
export async function loadDemo(store: Store, synonyms: SynonymMap, progress: Progress = () => {}, now = new Date()): Promise<{ resources: number; users: number; overlaps: number; requests: number; grants: number }> {
  const agencies = new Map((await store.agencies.list({ limit: 1000 })).items.map((a) => [a.id, a]));
  const tree = (await store.classification.list({ limit: 1000 })).items;
  const nodes = new Set(tree.map((n) => n.code));
  const demo = demoResources([...agencies.values()], tree);
  const docs: Resource[] = [];
  for (const [i, d] of demo.entries()) {
    const { value, errors } = validateResourceInput(d.input, {
      classificationExists: (c) => nodes.has(c),
      agency: (id) => agencies.get(id),
      resourceCodeExists: () => false,
    });
    if (!value) throw new Error(`demo resource ${i} (${d.input.name}) is invalid: ${JSON.stringify(errors.slice(0, 3))}`);
    const node = classificationCode(value.classification);
    const code = resourceCode(node, await store.resources.nextSequence(node));
    // Spread creation dates over the past year so lists and statistics look like a living catalog.
    const at = new Date(now.getTime() - ((i * 7919) % 365) * 86_400_000);
    const doc = buildResource(value, undefined, { code, agency: agencies.get(value.provider.agencyId)!, actor: SEED_ACTOR, now: at, authority: authorityItems(synonyms, value) });
    // Most published entries were confirmed current yesterday; every tenth has let its update cycle lapse, so the
    // stewards' dashboards show the stale flag without being all red.
    const current = d.status === 'published' && i % 10 !== 0 ? { currentAsOf: new Date(now.getTime() - 86_400_000).toISOString() } : {};
    docs.push({ ...doc, status: d.status, ...(d.status === 'published' ? { publishedAt: at.toISOString() } : {}), ...current });
  }
  const BATCH = 100;
  for (let i = 0; i < docs.length; i += BATCH) {
    await store.resources.createMany(docs.slice(i, i + BATCH), SEED_ACTOR);
    progress('resources', Math.min(i + BATCH, docs.length), docs.length);
  }

  const authorities = docs.filter((d) => d.status === 'published' && d.authorityItems.length);
  const findings = docs.flatMap((d) => findOverlaps(synonyms, d, authorities).map((o) => ({
    ...o, id: randomUUID(), version: 1, resourceId: d.id, resourceCode: d.code, agencyId: d.provider.agencyId, status: 'open' as const, createdAt: d.createdAt,
  })));
  if (findings.length) await store.overlaps.createMany(findings, SEED_ACTOR);
  await store.maintain();

  let users = 0;
  for (const u of DEMO_USERS) {
    if (await store.users.getBy('username', u.username)) continue;
    await createUser(store, { ...u, demo: true }, SEED_ACTOR);
    users++;
    progress('users', users, DEMO_USERS.length);
  }
  const sharing = await loadDemoSharing(store, docs, now);
  return { resources: docs.length, users, overlaps: findings.length, ...sharing };
}
