// Discovery: full-text search with facets, suggestions, and the administrators' view of the index.
// Visibility is the same condition that guards reading a record by id (domain/visibility), handed to the engine
// as a filter, so hits, totals, facet counts and suggestions can never show what a by-id read would refuse (B7).

import { BadRequestError, UnavailableError, fieldError } from '../domain/errors.ts';
import type { Actor } from '../domain/roles.ts';
import { hasRole } from '../domain/roles.ts';
import {
  type EngineResult, FACET_NAMES, type FacetName, MAX_PAGE_SIZE, MAX_WINDOW, SEARCH_DOWN, SEARCH_TIMEOUT, SORTS,
  type SearchDocument, type SearchQuery, highlight, matchedItems, parseText, toSearchCond,
} from '../domain/search.ts';
import type { Cond } from '../ports/store.ts';
import {
  BASE_DATABASES, FORMAT_CATEGORIES, RESOURCE_STATUSES, SHARE_TYPES, STATUS_LABELS, UPDATE_CYCLES,
} from '../domain/vocab.ts';
import { hasClassificationMarking } from '../domain/secrecy.ts';
import { resourceVisibility, visibilityCond } from '../domain/visibility.ts';
import { type ActionContext, type SearchServices, defineAction } from './define.ts';
import { readQuery } from './input.ts';

export const SEARCH_PARAMS = {
  q: 'string', mode: ['all', 'items'], agency: 'string', class: 'string', shareType: SHARE_TYPES, format: FORMAT_CATEGORIES,
  updateCycle: UPDATE_CYCLES, baseDatabase: [...BASE_DATABASES, 'none'], open: 'bool', status: RESOURCE_STATUSES, sort: SORTS,
  page: 'int', size: 'int',
} as const;

export type SearchParams = ReturnType<typeof readSearchParams>;

export function readSearchParams(query: Record<string, unknown>) {
  const p = readQuery(query, SEARCH_PARAMS);
  const errors = [];
  if (p.agency !== undefined && !/^[\w.:-]{1,64}$/.test(p.agency)) errors.push(fieldError('/query/agency', 'pattern', '机关标识格式不正确', 'malformed agency id'));
  if (p.class !== undefined && !/^\d{1,30}$/.test(p.class)) errors.push(fieldError('/query/class', 'pattern', '分类代码应为数字', 'class must be a node code (digits)'));
  const size = p.size ?? 20;
  const page = p.page ?? 1;
  if (size < 1 || size > MAX_PAGE_SIZE) errors.push(fieldError('/query/size', 'range', `每页条数应为 1 到 ${MAX_PAGE_SIZE}`, `size must be 1 to ${MAX_PAGE_SIZE}`));
  if (page < 1) errors.push(fieldError('/query/page', 'range', '页码从 1 开始', 'page starts at 1'));
  else if (page * size > MAX_WINDOW) {
    errors.push(fieldError('/query/page', 'range', `最多浏览前 ${MAX_WINDOW} 条结果,请增加条件缩小范围`, `only the first ${MAX_WINDOW} results can be paged; refine the query`));
  }
  if (errors.length) throw new BadRequestError('查询参数有误', 'invalid query parameters', errors);
  return { ...p, size, page, sort: p.sort ?? (p.q?.trim() ? 'relevance' : 'updated'), mode: p.mode ?? 'all' };
}

function services(ctx: ActionContext): SearchServices {
  if (!ctx.search) throw new UnavailableError('no search engine configured', SEARCH_DOWN);
  return ctx.search;
}

/** The viewer's visibility plus the user's filters, in document paths. */
export function searchFilter(actor: Actor | undefined, p: Partial<SearchParams>): Cond | undefined {
  const conds: Cond[] = [];
  const vis = visibilityCond(resourceVisibility(actor));
  if (vis) conds.push(toSearchCond(vis));
  if (p.agency) conds.push({ path: 'agencyPath', eq: p.agency });
  if (p.class) conds.push({ path: 'classNode', prefix: p.class });
  if (p.shareType) conds.push({ path: 'shareType', eq: p.shareType });
  if (p.format) conds.push({ path: 'formatCategory', eq: p.format });
  if (p.updateCycle) conds.push({ path: 'updateCycle', eq: p.updateCycle });
  if (p.baseDatabase) conds.push({ path: 'baseDatabase', eq: p.baseDatabase === 'none' ? '' : p.baseDatabase });
  if (p.open !== undefined) conds.push({ path: 'open', eq: p.open });
  if (p.status) conds.push({ path: 'status', eq: p.status });
  return conds.length ? { and: conds } : undefined;
}

/** Runs a query within the search budget (F2): a slow engine answers 503 + Retry-After, never a hung request. */
export async function runQuery(s: SearchServices, q: SearchQuery): Promise<EngineResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError('search timed out', SEARCH_TIMEOUT)), s.timeoutMs);
  });
  try {
    return await Promise.race([s.engine.query(q), timeout]);
  } catch (e) {
    // Engine errors, and unavailability that does not say why, reach users as the search message (never the
    // store's, never internals: B20); the cause is logged by the error handler.
    if (e instanceof UnavailableError && e.zh) throw e;
    throw new UnavailableError('search engine error', { cause: e, ...SEARCH_DOWN });
  } finally {
    clearTimeout(timer);
  }
}

export interface ResultAction {
  kind: 'get' | 'apply' | 'coordinate' | 'held';
  label: string;
  href: string;
}

/**
 * What a signed-in agency user can do with a published entry of another agency (workflows.md): 获取 an
 * unconditional one at once, 申请共享 a conditional one (a prefilled application), 申请协调 for one not shared.
 */
export function resultAction(actor: Actor | undefined, doc: SearchDocument): ResultAction | undefined {
  if (!actor || doc.status !== 'published' || doc.agencyId === actor.agencyId) return undefined;
  // The people who may apply (request.create); leadership reads the catalog but applies through its staff.
  if (!hasRole(actor, 'agency_staff', 'data_steward')) return undefined;
  const ref = `resource=${encodeURIComponent(doc.code)}`;
  if (doc.shareType === '无条件共享') return { kind: 'get', label: '获取', href: `/requests/new?${ref}&type=grant` };
  if (doc.shareType === '有条件共享') return { kind: 'apply', label: '申请共享', href: `/requests/new?${ref}&type=apply` };
  return { kind: 'coordinate', label: '申请协调', href: `/requests/new?${ref}&type=coordinate` };
}

/** The words for a facet value that comes from a vocabulary (not reference data); undefined for the others. */
export function vocabularyLabel(name: FacetName, value: string): string | undefined {
  if (name === 'status') return STATUS_LABELS[value as keyof typeof STATUS_LABELS] ?? value;
  if (name === 'open') return value === 'true' ? '向社会开放' : '不向社会开放';
  if (name === 'baseDatabase') return value === '' || value === 'none' ? '不属于基础信息库' : `${value}基础信息库`;
  return undefined;
}

async function facetLabels(ctx: ActionContext, name: FacetName, values: string[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (name === 'agency' && values.length) {
    const wanted = new Set(values);
    for (const a of (await ctx.store.agencies.list({ limit: 1000 })).items) if (wanted.has(a.id)) labels.set(a.id, a.name);
  } else if (name === 'class' && values.length) {
    const nodes = await ctx.store.classification.list({ where: { path: 'code', in: values }, limit: values.length });
    for (const n of nodes.items) labels.set(n.code, n.name);
  } else {
    for (const v of values) {
      const label = vocabularyLabel(name, v);
      if (label !== undefined) labels.set(v, label);
    }
  }
  return labels;
}

export const search = defineAction({
  name: 'search.query',
  permission: 'public',
  input: (raw) => readSearchParams(raw.query),
  run: async (actor, p, ctx) => {
    const s = services(ctx);
    const { terms, phrase } = parseText(p.q ?? '', s.groups);
    const result = await runQuery(s, {
      terms, phrase, fields: p.mode === 'items' && terms.length ? ['items'] : undefined, filter: searchFilter(actor, p),
      facets: FACET_NAMES, sort: p.sort, offset: (p.page - 1) * p.size, limit: p.size,
    });
    if (result.total === 0 && terms.length) await recordMiss(ctx, actor, terms, p.mode);
    const facets: Record<string, { value: string; label: string; count: number }[]> = {};
    for (const name of FACET_NAMES) {
      const buckets = result.facets[name] ?? [];
      const labels = await facetLabels(ctx, name, buckets.map((b) => b.value));
      facets[name] = buckets.map((b) => ({ value: name === 'baseDatabase' && b.value === '' ? 'none' : b.value, label: labels.get(b.value) ?? b.value, count: b.count }));
    }
    const held = await heldGrants(ctx, actor, result.hits.map((h) => h.doc.id));
    return {
      total: result.total,
      page: p.page,
      size: p.size,
      query: { q: p.q ?? '', mode: p.mode, sort: p.sort, terms },
      hits: result.hits.map(({ doc }) => {
        // A consumer already holding an active grant on the entry is shown the grant instead of a new application.
        const grantId = held.get(doc.id);
        const action = grantId ? { kind: 'held' as const, label: '已获授权', href: `/grants/${grantId}` } : resultAction(actor, doc);
        return {
          id: doc.id, code: doc.code, name: doc.name, nameHtml: highlight(doc.name, terms), abstractHtml: highlight(doc.abstract, terms, 120),
          agency: { id: doc.agencyId, name: doc.agencyName }, shareType: doc.shareType, updateCycle: doc.updateCycle,
          formatCategory: doc.formatCategory, open: doc.open, status: doc.status, updatedAt: doc.updatedAt,
          matchedItems: matchedItems(doc, terms), ...(action ? { action } : {}),
        };
      }),
      facets,
    };
  },
});

/** The viewer's agency's active grants among these entries: entry id → grant id. */
async function heldGrants(ctx: ActionContext, actor: Actor | undefined, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!actor || !ids.length || !hasRole(actor, 'agency_staff', 'data_steward')) return out;
  const grants = await ctx.store.grants.list({
    where: { and: [{ path: 'consumerAgencyId', eq: actor.agencyId }, { path: 'state', eq: 'active' }, { path: 'resourceIds', in: ids }] }, limit: 1000,
  });
  for (const g of grants.items) for (const id of g.resourceIds) if (ids.includes(id) && !out.has(id)) out.set(id, g.id);
  return out;
}

/**
 * Zero-result queries feed the statistics: what people looked for and did not find. Never fails the search. A query
 * carrying a secrecy marking is not kept: the statistics show what was asked, and that text may not enter the store.
 */
async function recordMiss(ctx: ActionContext, actor: Actor | undefined, terms: string[][], mode: 'all' | 'items'): Promise<void> {
  const query = terms.map((t) => t[0]).join(' ').slice(0, 100);
  if (hasClassificationMarking(query) || hasClassificationMarking(query.replace(/\s+/g, ''))) return;
  const at = ctx.now().toISOString();
  await ctx.store.searchMisses.create({
    id: `miss-${at}-${Math.random().toString(36).slice(2, 10)}`, version: 1, query, mode,
    ...(actor ? { agencyId: actor.agencyId } : {}), at, day: at.slice(0, 10),
  }, { userId: 'system:search', username: 'search' }).catch(() => {});
}

export const suggest = defineAction({
  name: 'search.suggest',
  permission: 'public',
  input: (raw) => {
    const p = readQuery(raw.query, { q: 'string' });
    return { q: (p.q ?? '').slice(0, 50) };
  },
  run: async (actor, { q }, ctx) => {
    const s = services(ctx);
    const { terms, phrase } = parseText(q, s.groups);
    if (!terms.length) return { suggestions: [] };
    const result = await runQuery(s, {
      terms, phrase, fields: ['name', 'namePinyin', 'items'], filter: searchFilter(actor, {}), facets: [], sort: 'relevance', offset: 0, limit: 8,
    });
    return {
      suggestions: result.hits.map(({ doc }) => ({ text: doc.name, html: highlight(doc.name, terms), code: doc.code, agency: doc.agencyName })),
    };
  },
});

export const indexStatus = defineAction({
  name: 'search.status',
  permission: ['sys_admin'],
  input: () => ({}),
  run: async (_actor, _input, ctx) => {
    const s = services(ctx);
    const status = await s.engine.status();
    const backlog = status.state === 'ready' ? await s.sync.backlog().catch(() => undefined) : undefined;
    const dead = await ctx.store.deadLetters.count({ path: 'status', eq: 'open' });
    return { engine: s.engine.kind, ...status, backlog, sync: s.sync.state(), deadLetters: dead };
  },
});

export const listDeadLetters = defineAction({
  name: 'search.deadLetters',
  permission: ['sys_admin'],
  input: (raw) => readQuery(raw.query, { status: ['open', 'resolved'] }),
  run: async (_actor, q, ctx) => ctx.store.deadLetters.list({
    where: { path: 'status', eq: q.status ?? 'open' }, sort: [{ path: 'createdAt', dir: 'desc' }], limit: 200,
  }),
});

export const rebuildSearch = defineAction({
  name: 'search.rebuild',
  permission: ['sys_admin'],
  input: () => ({}),
  run: async (_actor, _input, ctx) => {
    const s = services(ctx);
    // Not a store write: its record goes first, so a rebuild never runs unrecorded.
    await ctx.audit({ action: 'search.rebuild', outcome: 'success' });
    return s.rebuild();
  },
});

export const reconcileSearch = defineAction({
  name: 'search.reconcile',
  permission: ['sys_admin'],
  input: () => ({}),
  run: async (_actor, _input, ctx) => {
    const s = services(ctx);
    const report = await s.reconcile();
    await ctx.audit({ action: 'search.reconcile', outcome: 'success', detail: { missing: report.missing.length, extra: report.extra.length, altered: report.altered.length } });
    return report;
  },
});
