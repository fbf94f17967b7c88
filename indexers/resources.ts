// The collator for catalog entries: one `toDocument` used by the full rebuild, incremental sync and reconcile, so
// the three can never build different documents for the same record.

import type { Agency } from '../server/domain/entities.ts';
import type { Resource } from '../server/domain/resource.ts';
import { type SearchDocument, compactText } from '../server/domain/search.ts';
import type { Store } from '../server/ports/store.ts';
import { pinyinSortKey, pinyinText } from './pinyin.ts';

/** What a document needs besides its record: the agency tree (for sub-agency filters and names). */
export interface CollatorRefs {
  agencies: ReadonlyMap<string, Agency>;
}

export async function loadRefs(store: Store): Promise<CollatorRefs> {
  const agencies = new Map<string, Agency>();
  for (let offset = 0; ; offset += 1000) {
    const page = await store.agencies.list({ offset, limit: 1000 });
    for (const a of page.items) agencies.set(a.id, a);
    if (page.items.length < 1000) break;
  }
  return { agencies };
}

/** The provider and its ancestors, root first; a cycle in bad reference data stops the walk instead of hanging it. */
function agencyPath(agencyId: string, agencies: ReadonlyMap<string, Agency>): string[] {
  const path: string[] = [];
  for (let id: string | undefined = agencyId; id && !path.includes(id); id = agencies.get(id)?.parentId) path.unshift(id);
  return path;
}

const pinyinCache = new Map<string, string>();
function agencyPinyin(a: Agency | undefined, fallback: string): string {
  const key = a ? `${a.id}@${a.version}` : fallback;
  let v = pinyinCache.get(key);
  if (v === undefined) {
    v = [a?.name ?? fallback, a?.shortName].filter(Boolean).map((n) => pinyinText(n!)).join(' ');
    if (pinyinCache.size > 10_000) pinyinCache.clear();
    pinyinCache.set(key, v);
  }
  return v;
}

export function toDocument(r: Resource, refs: CollatorRefs): SearchDocument {
  const agency = refs.agencies.get(r.provider.agencyId);
  const agencyName = agency?.name ?? r.provider.name;
  return {
    id: r.id,
    version: r.version,
    code: r.code,
    name: r.name,
    abstract: r.abstract,
    items: r.dataItems.map((i) => i.name),
    keywords: r.keywords ?? [],
    agencyId: r.provider.agencyId,
    agencyName,
    agencyPath: agencyPath(r.provider.agencyId, refs.agencies),
    // Not the provider's internal unit: the public view hides it, so nobody may match on it (B8).
    agencyText: [agencyName, agency?.shortName].filter((s): s is string => !!s),
    classNode: r.classNode,
    classItem: r.classNode.slice(0, 3),
    shareType: r.sharing.type,
    formatCategory: r.format.category,
    updateCycle: r.updateCycle,
    baseDatabase: r.baseDatabase ?? '',
    open: r.openness.isOpen,
    status: r.status,
    updatedAt: r.updatedAt,
    labels: [r.sharing.type, r.updateCycle, r.format.category, r.baseDatabase ?? ''].filter(Boolean),
    namePinyin: pinyinText(r.name),
    agencyPinyin: agencyPinyin(agency, agencyName),
    nameSort: pinyinSortKey(r.name),
    nameCompact: compactText(r.name),
  };
}
