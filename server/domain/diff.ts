// What changed between two versions of a document, as JSON-pointer-like paths, for the history view.

import type { Change } from '../ports/store.ts';

const IGNORED = new Set(['version', 'updatedAt', 'updatedBy']);

export function diff(before: unknown, after: unknown, path = ''): Change[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((k) => !(path === '' && IGNORED.has(k))).flatMap((k) => diff(before[k], after[k], `${path}/${k}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '/', ...(before !== undefined ? { from: before } : {}), ...(after !== undefined ? { to: after } : {}) }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
