// 一数一源: nobody re-collects what another agency is the authoritative source for. Registering items that fold
// to an authority's items is reported (agency, resource, items) and recorded for reviewers; it is not a block.

import type { Resource, ResourceInput } from './resource.ts';
import { type SynonymMap, foldTerm } from './synonyms.ts';

export interface Overlap {
  authorityResourceId: string;
  authorityResourceCode: string;
  authorityResourceName: string;
  authorityAgencyId: string;
  authorityAgencyName: string;
  items: string[];
}

export function authorityItems(synonyms: SynonymMap, input: Pick<ResourceInput, 'authoritativeSource'>): string[] {
  return [...new Set(input.authoritativeSource.map((n) => foldTerm(synonyms, n)))];
}

export function foldedItems(synonyms: SynonymMap, input: Pick<ResourceInput, 'dataItems'>): string[] {
  return [...new Set(input.dataItems.map((d) => foldTerm(synonyms, d.name)))];
}

/**
 * Overlaps between a record's items and the authorities that claim them. Authorities of the record's own agency
 * are not overlaps: an agency re-using its own data is not re-collection.
 */
export function findOverlaps(
  synonyms: SynonymMap,
  input: Pick<ResourceInput, 'dataItems' | 'provider'>,
  authorities: Pick<Resource, 'id' | 'code' | 'name' | 'provider' | 'authorityItems'>[],
): Overlap[] {
  const mine = new Map(input.dataItems.map((d) => [foldTerm(synonyms, d.name), d.name]));
  const out: Overlap[] = [];
  for (const a of authorities) {
    if (a.provider.agencyId === input.provider.agencyId) continue;
    const items = a.authorityItems.filter((t) => mine.has(t)).map((t) => mine.get(t)!);
    if (items.length) {
      out.push({
        authorityResourceId: a.id, authorityResourceCode: a.code, authorityResourceName: a.name,
        authorityAgencyId: a.provider.agencyId, authorityAgencyName: a.provider.name, items,
      });
    }
  }
  return out.sort((x, y) => x.authorityResourceCode.localeCompare(y.authorityResourceCode));
}
