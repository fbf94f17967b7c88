// The value type of every allowlisted path of the Store port, per collection. The mongoose schemas declare these
// paths with these types (so `strictQuery: 'throw'` accepts exactly them), and the filter translator uses them to
// keep comparisons type-strict like the embedded adapter. The mapped type makes a path added to INDEXED_PATHS
// without a type here a compile error.

import { ARRAY_PATHS, type CollectionName, INDEXED_PATHS, UNIQUE_KEYS } from '../../../ports/store.ts';

/** `strings` is an array of strings (ARRAY_PATHS): a condition matches when any element matches. */
export type PathType = 'string' | 'number' | 'boolean' | 'strings';

type PathTypes = { [C in CollectionName]: Record<(typeof INDEXED_PATHS)[C][number], PathType> };

export const PATH_TYPES: PathTypes = {
  resources: {
    code: 'string', nameKey: 'string', 'provider.agencyId': 'string', 'classification.classCode': 'string', classNode: 'string',
    'sharing.type': 'string', status: 'string', 'openness.isOpen': 'boolean', 'format.category': 'string', updateCycle: 'string',
    baseDatabase: 'string', updatedAt: 'string', name: 'string', authorityItems: 'strings', 'revision.status': 'string',
  },
  agencies: { code: 'string', parentId: 'string', kind: 'string', name: 'string' },
  classification: { code: 'string', parentCode: 'string', level: 'number' },
  users: { username: 'string', agencyId: 'string' },
  tokens: { userId: 'string', hash: 'string' },
  overlaps: { resourceId: 'string', authorityResourceId: 'string', agencyId: 'string', status: 'string', createdAt: 'string' },
  deadLetters: { resourceId: 'string', status: 'string', createdAt: 'string' },
  searchMisses: { query: 'string', day: 'string', agencyId: 'string' },
  throttles: {},
  requests: {
    number: 'string', state: 'string', kind: 'string', applicantAgencyId: 'string', providerAgencyId: 'string', resourceIds: 'strings', updatedAt: 'string',
  },
  grants: {
    number: 'string', state: 'string', consumerAgencyId: 'string', providerAgencyId: 'string', resourceIds: 'strings', requestId: 'string', updatedAt: 'string',
  },
  calendar: { date: 'string' },
  batches: { number: 'string', state: 'string', updatedAt: 'string' },
  settings: {},
  notifications: { audience: 'strings', createdAt: 'string' },
};

/** The type of an allowlisted path, or an Error for any other path (filters and sorts alike). */
export function pathType(collection: CollectionName, path: unknown): PathType {
  const types = PATH_TYPES[collection] as Record<string, PathType>;
  if (typeof path !== 'string' || !Object.hasOwn(types, path)) throw new Error(`path ${String(path)} is not indexed for ${collection}`);
  return types[path];
}

/** Index names follow the embedded adapter's (`ux_resources_code`), so a duplicate-key error names its keys. */
export function ident(path: string): string {
  return path.replace(/\./g, '_');
}

export function uniqueIndexName(collection: CollectionName, keys: readonly string[]): string {
  return `ux_${collection}_${keys.map(ident).join('__')}`;
}

/** Unique key paths by index name, for turning E11000 into UniqueViolation(keys). */
export function uniqueIndexKeys(collection: CollectionName): Map<string, string[]> {
  return new Map((UNIQUE_KEYS[collection] ?? []).map((keys) => [uniqueIndexName(collection, keys), keys]));
}

// The port and this table must agree on which paths hold arrays; fail at import rather than mis-translate.
for (const [collection, types] of Object.entries(PATH_TYPES) as [CollectionName, Record<string, PathType>][]) {
  for (const path of INDEXED_PATHS[collection]) {
    if ((types[path] === 'strings') !== ARRAY_PATHS.has(path)) throw new Error(`PATH_TYPES disagrees with ARRAY_PATHS on ${collection}.${path}`);
  }
}
