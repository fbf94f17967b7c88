// Search benchmark (issue 3, "Discovery"): `npm run bench -- search`, or `npx tsx bench/search.ts` on its own.
// Targets, all with N = 100,000 generated resources (bench/generate.ts, fixed seed) loaded through the real store
// (embedded SQLite file in a temp dir, validate → code → buildResource → createMany) and the real indexer code:
//   1. in-process search, text + 2 filters + all facet counts (FACET_NAMES): p95 <= 20 ms;
//   2. the same queries on lunr and MiniSearch over the same documents, same tokens (domain/text.ts), same fields
//      and boosts, filters and facets applied in JS as a user of those libraries would: ours >= 10x faster at p95;
//   3. full rebuild (indexers/rebuild.ts rebuildIndex over the store into a fresh embedded engine) <= 20 s;
//   4. a write through the HTTP API is searchable <= 1 s later (app in-process, production sync settings);
//   5. HTTP throughput with autocannon, 10 connections, GET /api/v1/search: >= 300 req/s with p99 <= 100 ms;
//   6. resident memory <= 1 GB (after load, after rebuild, peak).
//
// Most entries are published; three agencies also have drafts/submitted/returned entries. Every in-process query
// carries the visibility filter of a signed-in data steward of ag-gaj (searchFilter in server/actions/search.ts),
// so that agency's drafts are found too, as in the app. Each query text is run plain and with an agency filter +
// a share-type filter. Peers run one at a time in child processes (their memory is then theirs alone, and one
// that runs out of memory or time is retried at a smaller N, and that is said); autocannon also runs in a child
// so it does not share the server's event loop. The exit code is 0 whatever the outcome: FAIL is printed.
//
// BENCH_QUICK=1 scales N down 10x (and shortens every phase) for a smoke run. bench/run.ts starts this file as a
// process of its own with --expose-gc, so memory is also reported after a full collection; run directly, it is not.

import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { rebuildIndex } from '../indexers/rebuild.ts';
import { searchFilter } from '../server/actions/search.ts';
import { buildResource } from '../server/actions/resources/catalog.ts';
import { openEmbeddedSearch } from '../server/adapters/search/embedded/engine.ts';
import { MemoryIndex } from '../server/adapters/search/embedded/memory-index.ts';
import { openEmbeddedStore } from '../server/adapters/store/embedded/store.ts';

/** A throwaway key: benchmark stores live in temporary directories. */
const BENCH_AUDIT_KEY = Buffer.from('bench-audit-key-'.padEnd(40, 'x'));
import { createApp } from '../server/app.ts';
import { loadSynonyms, searchServices } from '../server/compose.ts';
import { classificationCode, resourceCode } from '../server/domain/codes.ts';
import { authorityItems } from '../server/domain/overlap.ts';
import { type Resource, type ResourceInput, type ValidationContext, validateResourceInput } from '../server/domain/resource.ts';
import type { Actor } from '../server/domain/roles.ts';
import {
  type EngineResult, FACETS, FACET_NAMES, type FacetBucket, type FacetName, SEARCH_FIELDS, SEARCH_FIELD_NAMES, type SearchDocument, type SearchField,
  type SearchQuery, matchesCond, parseText, synonymGroups,
} from '../server/domain/search.ts';
import { type FieldKind, fold, indexTokens, needsPhraseCheck, phraseMatches, phraseText, queryTokens } from '../server/domain/text.ts';
import type { ResourceStatus, ShareType } from '../server/domain/vocab.ts';
import { createUser } from '../server/identity/users.ts';
import { silentLogger } from '../server/log.ts';
import { SEED_ACTOR, ensureReferenceData } from '../server/seed/bootstrap.ts';
import { mulberry32 } from '../server/seed/random.ts';
import { DEFAULT_SEED, ResourceGenerator } from './generate.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_PEERS=0 skips lunr and MiniSearch (minutes of the run) while working on the engine; the target needs them. */
const PEERS = process.env.BENCH_PEERS !== '0';
const SCALE = QUICK ? 10 : 1;
const N_DOCS = 100_000 / SCALE;
const BATCH = 500;
const PROGRESS_EVERY = 10_000 / SCALE;

/** Our engine: one warm-up round over the whole query set, then this many measured rounds. */
const ROUNDS = QUICK ? 2 : 5;
/** Peers: a warm-up of this many queries, then one measured round (more if they are fast enough, see PEER_QUERY_BUDGET_S). */
const PEER_WARMUP = 20;
const PEER_ROUNDS = QUICK ? 1 : 2;
/** A peer gets this much heap, and this long to build and to answer; beyond that it is retried at a smaller N. */
const PEER_HEAP_MB = 8192;
const PEER_BUILD_BUDGET_S = QUICK ? 120 : 420;
const PEER_QUERY_BUDGET_S = QUICK ? 120 : 600;
const PEER_SIZES = [N_DOCS, N_DOCS / 2, N_DOCS / 5, N_DOCS / 10];

const WRITES = QUICK ? 5 : 20;
const WRITE_POLL_MS = 10;
const WRITE_GAP_MS = 250;
const WRITE_GIVE_UP_MS = 10_000;

const HTTP_CONNECTIONS = 10;
const HTTP_SECONDS = QUICK ? 5 : 20;
const HTTP_WARMUP_SECONDS = QUICK ? 2 : 3;

const TARGET_QUERY_P95_MS = 20;
const TARGET_PEER_RATIO = 10;
const TARGET_REBUILD_S = 20;
const TARGET_VISIBLE_MS = 1000;
const TARGET_RPS = 300;
const TARGET_HTTP_P99_MS = 100;
const TARGET_RSS = 1024 ** 3;

/** Agencies that also hold unpublished entries (the rest: everything published). */
const DRAFT_AGENCIES = new Set(['ag-gaj', 'ag-gsj', 'ag-xs-wjj']);
export const STEWARD_AGENCY = 'ag-gaj';
export const STEWARD_USERNAME = 'bench.gaj';
export const STEWARD_PASSWORD = 'bench-correct-horse-battery';
export const STEWARD: Actor = {
  userId: 'bench-steward', username: STEWARD_USERNAME, displayName: '基准 数据管理员', agencyId: STEWARD_AGENCY, roles: ['data_steward', 'agency_staff'],
};

// ---------------------------------------------------------------------------------------------------------------
// Output (the style of bench/run.ts)

const LABEL = 46;
function out(label: string, value = ''): void {
  console.log(value === '' ? label : `${label.padEnd(LABEL)} ${value}`);
}
function heading(title: string): void {
  console.log('');
  console.log(title);
  console.log('-'.repeat(title.length));
}
function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ratio = (n: number) => `${n.toFixed(1)}x`;
function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL  <<<';
}
/** The commit, and whether the engine/indexer code differs from it (someone may be editing it). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8' }).trimEnd();
    const dirty = git('status', '--porcelain', '--', 'server', 'indexers', 'mappings').split('\n').filter(Boolean).map((l) => l.slice(3));
    return `${git('rev-parse', '--short', 'HEAD')}${dirty.length ? ` + uncommitted changes in ${dirty.join(', ')}` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' / ');
}

// ---------------------------------------------------------------------------------------------------------------
// Memory: RSS at named points, and the peak the kernel saw for this process

const rssLog: [string, string][] = [];
/**
 * RSS now; and when the process may force a collection (run.ts starts this file with --expose-gc), RSS, V8 heap
 * and typed-array memory after a full GC too, which separate live data from garbage not yet collected.
 */
function rss(after: string): number {
  const r = process.memoryUsage().rss;
  let line = mb(r);
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    const m = process.memoryUsage();
    line += `   (after a full GC: rss ${mb(m.rss)}, V8 heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, typed arrays ${mb(m.arrayBuffers)})`;
  }
  rssLog.push([after, line]);
  out(`rss after ${after}`, line);
  return r;
}
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

// ---------------------------------------------------------------------------------------------------------------
// Latency summaries

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function summarise(samples: ArrayLike<number>): LatencySummary {
  const s = Float64Array.from(samples).sort();
  if (!s.length) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  let sum = 0;
  for (const x of s) sum += x;
  return { n: s.length, p50: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99), max: s[s.length - 1], mean: sum / s.length };
}

function latencyLine(l: LatencySummary): string {
  return `p50 ${ms(l.p50).padStart(10)}  p95 ${ms(l.p95).padStart(10)}  p99 ${ms(l.p99).padStart(10)}  max ${ms(l.max).padStart(10)}  mean ${ms(l.mean).padStart(9)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The query set: several hundred queries of four kinds, each plain and with an agency + share-type filter

const WORDS = [
  '人口', '企业', '信息', '登记', '数据', '户籍', '养老保险', '医疗', '学生', '学籍', '机动车', '驾驶人', '税务', '纳税人', '发票', '婚姻',
  '低保', '救助', '房屋', '不动产', '土地', '规划', '项目', '投资', '价格', '统计', '普查', '特种设备', '计量', '许可', '审批', '监管',
  '变更', '注销', '年报', '台账', '汇总', '全市', '接种', '执业', '社会组织', '养老机构', '就业', '工伤', '交通违法', '商品房', '资质',
  '地名地址', '能源', '收费', '共享', '税', '车', '房',
];
const TWO_WORDS = [
  '企业 登记', '人口 普查', '常住人口 信息', '养老 保险', '机动车 登记', '医疗机构 执业', '学生 资助', '房屋 交易', '土地 规划',
  '纳税人 信用', '婚姻 登记', '低保 救助', '特种设备 检验', '项目 审批', '价格 监测', '统计 年报', '户籍 迁入', '企业 注销',
  '社会组织 登记', '就业 失业', '出生 医学证明', '驾驶人 违法', '施工 许可', '不动产 登记', '固定资产 投资', '人口 数据', '企业 信息',
  '公安 人口', '卫生 许可', '教育 统计', '流动人口 居住', '税收 减免',
];
const DATA_ITEMS = [
  '统一社会信用代码', '身份证号', '公民身份号码', '身份证号码', '居民身份证号码', '法人代表', '法定代表人', '企业名称', '单位名称',
  '注册资本', '联系电话', '手机号码', '出生日期', '户籍地址', '户口所在地', '不动产单元号', '纳税人识别号', '车辆识别代号', '号牌号码',
  '学籍号', '执业证书编码', '设备注册代码', '行政区划代码', '组织机构代码', '机构代码', '经营范围', '参保日期', '缴费基数', '救助金额',
  '地块编号', '宗地代码', '信用代码',
];
const PINYIN = [
  'renkou', 'rkjc', 'rkjb', 'qiye', 'qydj', 'dengji', 'yanglao', 'ylbx', 'yiliao', 'jiaoyu', 'xueji', 'jidongche', 'jdc', 'nashui',
  'hunyin', 'budongchan', 'bdc', 'tudi', 'guihua', 'xiangmu', 'jiage', 'tongji', 'pucha', 'czrk', 'hjrk', 'gongan', 'shebao', 'xinxi',
];
/** Fallbacks when a plain query has no hits to pick filters from. */
const FILTER_AGENCIES = ['ag-gsj', 'ag-gaj', 'ag-sc', 'ag-wsj', 'ag-dsj', 'ag-xs', 'ag-mzj', 'ag-jyj', 'ag-ldbzj', 'ag-fgj', 'ag-tjj', 'ag-ghj', 'ag-rsj'];
const FILTER_SHARE_TYPES: ShareType[] = ['有条件共享', '无条件共享', '不予共享'];

interface BenchQuery {
  kind: string;
  text: string;
  filtered: boolean;
  params: Record<string, string>;
  query: SearchQuery;
}

const KINDS = ['word', 'two words', 'data item', 'pinyin'] as const;

/**
 * Every text plain, and with an agency filter + a share-type filter picked the way a user clicks facets: the
 * agency among the top three buckets of the plain query's agency facet, then the share type among the top buckets
 * of that agency's share-type facet (rotating), so filtered queries hit realistic, mostly non-empty sets.
 */
export async function buildQueries(groups: ReadonlyMap<string, string[]>, run: (q: SearchQuery) => Promise<EngineResult>): Promise<BenchQuery[]> {
  const texts: [string, string[]][] = [['word', WORDS], ['two words', TWO_WORDS], ['data item', DATA_ITEMS], ['pinyin', PINYIN]];
  const queries: BenchQuery[] = [];
  const make = (text: string, params: Record<string, string>): SearchQuery => ({
    ...parseText(text, groups), filter: searchFilter(STEWARD, { agency: params.agency, shareType: params.shareType as ShareType | undefined }),
    facets: FACET_NAMES, sort: 'relevance', offset: 0, limit: 20,
  });
  let f = 0;
  for (const [kind, list] of texts) {
    for (const text of list) {
      const plain = make(text, { q: text });
      queries.push({ kind, text, filtered: false, params: { q: text }, query: plain });
      const agencies = (await run(plain)).facets.agency ?? [];
      const agency = agencies.length ? agencies[f % Math.min(3, agencies.length)].value : FILTER_AGENCIES[f % FILTER_AGENCIES.length];
      const shares = (await run(make(text, { q: text, agency }))).facets.shareType ?? [];
      const shareType = shares.length ? shares[f % shares.length].value : FILTER_SHARE_TYPES[f % FILTER_SHARE_TYPES.length];
      f++;
      const params = { q: text, agency, shareType };
      queries.push({ kind: `${kind} + 2 filters`, text, filtered: true, params, query: make(text, params) });
    }
  }
  // One fixed interleaved order, the same for every engine, so drift on the machine hits every kind alike.
  const rnd = mulberry32(DEFAULT_SEED ^ 0x5ea2c4);
  for (let i = queries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [queries[i], queries[j]] = [queries[j], queries[i]];
  }
  return queries;
}

export function searchPath(params: Record<string, string>): string {
  return `/api/v1/search?${new URLSearchParams(params).toString()}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading the corpus through the store

interface Loaded {
  seconds: number;
  byStatus: Map<string, number>;
}

function statusFor(agencyId: string, rnd: () => number): ResourceStatus {
  if (!DRAFT_AGENCIES.has(agencyId)) return 'published';
  const r = rnd();
  return r < 0.25 ? 'draft' : r < 0.32 ? 'submitted' : r < 0.36 ? 'returned' : 'published';
}

export async function loadCorpus(store: ReturnType<typeof openEmbeddedStore>, n: number): Promise<Loaded> {
  const synonyms = loadSynonyms();
  const agencies = new Map((await store.agencies.list({ limit: 1000 })).items.map((a) => [a.id, a]));
  const nodes = new Set((await store.classification.list({ limit: 1000 })).items.map((x) => x.code));
  const codes = new Set<string>();
  const ctx: ValidationContext = {
    classificationExists: (c) => nodes.has(c),
    agency: (id) => agencies.get(id),
    resourceCodeExists: (c) => codes.has(c),
  };
  const gen = new ResourceGenerator();
  const statusRnd = mulberry32(DEFAULT_SEED ^ 0x57a7);
  const byStatus = new Map<string, number>();
  const base = Date.now() - n * 60_000;
  const start = performance.now();
  let pending: Resource[] = [];
  for (let i = 1; i <= n; i++) {
    const input = gen.next();
    const { value, errors } = validateResourceInput(input, ctx);
    if (!value) throw new Error(`generated record "${input.name}" is invalid: ${JSON.stringify(errors.slice(0, 3))}`);
    const node = classificationCode(value.classification);
    const code = resourceCode(node, await store.resources.nextSequence(node));
    codes.add(code);
    // Entries registered a minute apart, so "updated" ordering is meaningful.
    const at = new Date(base + i * 60_000);
    const doc = buildResource(value, undefined, { code, agency: agencies.get(value.provider.agencyId)!, actor: SEED_ACTOR, now: at, authority: authorityItems(synonyms, value) });
    doc.status = statusFor(doc.provider.agencyId, statusRnd);
    if (doc.status === 'published') doc.publishedAt = at.toISOString();
    byStatus.set(doc.status, (byStatus.get(doc.status) ?? 0) + 1);
    pending.push(doc);
    if (pending.length === BATCH || i === n) {
      await store.resources.createMany(pending, SEED_ACTOR);
      pending = [];
    }
    if (i % PROGRESS_EVERY === 0) progress(`loading: ${int(i)} / ${int(n)} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  }
  const stored = await store.resources.count();
  if (stored !== n) throw new Error(`expected ${n} stored resources, found ${stored}`);
  // As an import does when it is done (the server also does it hourly): the planner learns the data's shape.
  await store.maintain();
  return { seconds: (performance.now() - start) / 1000, byStatus };
}

// ---------------------------------------------------------------------------------------------------------------
// Peers, in a child process: lunr and MiniSearch (and our MemoryIndex, as the like-for-like reference when a peer
// has to run at a smaller N)

type PeerKind = 'lunr' | 'minisearch' | 'embedded-memory';

interface PeerJob {
  peer: PeerKind;
  docsFile: string;
  queriesFile: string;
  n: number;
  rounds: number;
  warmup: number;
  queryBudgetS: number;
}

interface PeerReport {
  peer: PeerKind;
  n: number;
  readS: number;
  buildS: number;
  rssDocs: number;
  heapDocs: number;
  rssBuilt: number;
  heapBuilt: number;
  rssPeak: number;
  /** samples[query index] = latencies of the measured rounds. */
  samples: number[][];
  totals: number[];
  measuredRounds: number;
  complete: boolean;
}

type ChildMessage =
  | { type: 'progress'; line: string }
  | { type: 'phase'; phase: 'build' | 'query' }
  | { type: 'result'; report: unknown }
  | { type: 'error'; message: string };

function send(m: ChildMessage): void {
  process.send!(m);
}

function fieldText(doc: SearchDocument, f: SearchField): string {
  const v = doc[f];
  return Array.isArray(v) ? v.join('\n') : v;
}

/** The tokens of one field, deduplicated: exactly what the embedded engine posts for it. */
function fieldTokens(doc: SearchDocument, f: SearchField): string[] {
  return [...new Set(indexTokens(fold(fieldText(doc, f)), SEARCH_FIELDS[f].kind))];
}

const FIELD_NO = new Map<SearchField, number>(SEARCH_FIELD_NAMES.map((f, i) => [f, i]));
const KIND_GROUPS: [FieldKind, SearchField[]][] = (['text', 'grams'] as const).map((k) => [k, SEARCH_FIELD_NAMES.filter((f) => SEARCH_FIELDS[f].kind === k)]);

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function readDocs(file: string, n: number): Promise<SearchDocument[]> {
  const docs: SearchDocument[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    docs.push(JSON.parse(line) as SearchDocument);
    if (docs.length === n) break;
  }
  lines.close();
  return docs;
}

interface PeerResult {
  total: number;
  top: number[];
  facets: Partial<Record<FacetName, FacetBucket[]>>;
}

/** Filter, facet counts and the first page over a peer's verified hits: what a user of the library writes. */
function finish(docs: SearchDocument[], q: SearchQuery, hits: number[], score: (slot: number) => number, sorted: boolean): PeerResult {
  const passed = q.filter ? hits.filter((s) => matchesCond(docs[s], q.filter)) : hits;
  const facets: Partial<Record<FacetName, FacetBucket[]>> = {};
  for (const name of q.facets) {
    const field = FACETS[name] as keyof SearchDocument;
    const counts = new Map<string, number>();
    for (const s of passed) {
      const v = String(docs[s][field]);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    facets[name] = [...counts].map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, 100);
  }
  const ordered = sorted ? passed : [...passed].sort((a, b) => score(b) - score(a));
  return { total: passed.length, top: ordered.slice(q.offset, q.offset + q.limit), facets };
}

interface PeerEngine {
  search(q: SearchQuery): PeerResult;
}

/** Per field, per document: the phrase text the embedded engine checks multi-token matches against. */
function phraseTable(docs: SearchDocument[]): string[][] {
  return SEARCH_FIELD_NAMES.map((f) => docs.map((d) => phraseText(fold(fieldText(d, f)))));
}

/** Whether `alt` matches document `slot` in one of `fields` of `kind`, by the phrase rule (domain/text.ts). */
function phraseInFields(phrases: string[][], slot: number, alt: string, kind: FieldKind, fields: readonly SearchField[]): boolean {
  for (const f of fields) if (phraseMatches(phrases[FIELD_NO.get(f)!][slot], alt, kind)) return true;
  return false;
}

function groupsFor(q: SearchQuery): [FieldKind, SearchField[]][] {
  const allowed = q.fields ? new Set(q.fields) : undefined;
  return KIND_GROUPS.map(([k, fs]) => [k, allowed ? fs.filter((f) => allowed.has(f)) : fs] as [FieldKind, SearchField[]]).filter(([, fs]) => fs.length > 0);
}

async function buildLunr(docs: SearchDocument[], phrases: string[][], tick: (i: number) => void): Promise<PeerEngine> {
  const { default: lunr } = await import('lunr');
  const b = new lunr.Builder();
  b.ref('i');
  for (const f of SEARCH_FIELD_NAMES) {
    b.field(f, { boost: SEARCH_FIELDS[f].boost, extractor: (x) => fieldTokens((x as { d: SearchDocument }).d, f) });
  }
  b.metadataWhitelist = [];
  // The default pipeline of `lunr()` (trimmer, stop words, English stemmer) would strip Han characters; a Builder
  // made directly has empty pipelines, and the tokens given are final.
  for (let i = 0; i < docs.length; i++) {
    b.add({ i: String(i), d: docs[i] });
    if ((i + 1) % 10_000 === 0) tick(i + 1);
  }
  const idx = b.build();
  const REQUIRED = lunr.Query.presence.REQUIRED;
  return {
    search(q) {
      // lunr cannot nest OR inside AND: one lunr query per (alternative, field kind), all its tokens required;
      // union over a term's alternatives, intersection over terms, in JS.
      let acc: Map<number, number> | undefined;
      for (const term of q.terms) {
        const cur = new Map<number, number>();
        for (const alt of term) {
          for (const [kind, fields] of groupsFor(q)) {
            const tokens = [...new Set(queryTokens(alt, kind))];
            if (!tokens.length) continue;
            const check = needsPhraseCheck(alt, kind);
            const results = idx.query((qb) => {
              for (const t of tokens) qb.term(t, { fields, presence: REQUIRED, usePipeline: false });
            });
            for (const r of results) {
              const slot = Number(r.ref);
              if (acc && !acc.has(slot)) continue;
              if (check && !phraseInFields(phrases, slot, alt, kind, fields)) continue;
              const prev = cur.get(slot);
              if (prev === undefined || r.score > prev) cur.set(slot, r.score);
            }
          }
        }
        if (acc) for (const [s, sc] of cur) cur.set(s, sc + acc.get(s)!);
        acc = cur;
        if (!acc.size) break;
      }
      const scores = acc ?? new Map<number, number>();
      return finish(docs, q, [...scores.keys()], (s) => scores.get(s)!, false);
    },
  };
}

async function buildMiniSearch(docs: SearchDocument[], phrases: string[][], tick: (i: number) => void): Promise<PeerEngine> {
  const { default: MiniSearch } = await import('minisearch');
  type Wrapped = { i: number; d: SearchDocument };
  const ms = new MiniSearch<Wrapped>({
    idField: 'i',
    fields: [...SEARCH_FIELD_NAMES],
    storeFields: [],
    extractField: (x, f) => {
      if (f === 'i') return x.i;
      const t = fieldTokens(x.d, f as SearchField);
      return t.length ? t.join(' ') : null;
    },
    tokenize: (text) => text.split(' '),
    processTerm: (t) => t,
    searchOptions: {
      tokenize: (text) => text.split(' '),
      processTerm: (t) => t,
      boost: Object.fromEntries(SEARCH_FIELD_NAMES.map((f) => [f, SEARCH_FIELDS[f].boost])),
      prefix: false,
      fuzzy: false,
    },
  });
  const CHUNK = 10_000;
  for (let i = 0; i < docs.length; i += CHUNK) {
    ms.addAll(docs.slice(i, i + CHUNK).map((d, k) => ({ i: i + k, d })));
    tick(Math.min(docs.length, i + CHUNK));
  }
  return {
    search(q) {
      // MiniSearch nests natively: AND over terms, OR over (alternative, field kind), AND over that one's tokens.
      // Its AND is per document, not per field, so multi-token alternatives are verified in the filter.
      const groups = groupsFor(q);
      const termQueries = q.terms.map((term) => {
        const subs: { combineWith: 'AND'; fields: string[]; queries: string[] }[] = [];
        for (const alt of term) {
          for (const [kind, fields] of groups) {
            const tokens = [...new Set(queryTokens(alt, kind))];
            if (tokens.length) subs.push({ combineWith: 'AND', fields, queries: [tokens.join(' ')] });
          }
        }
        return { combineWith: 'OR' as const, queries: subs };
      });
      if (!termQueries.length || termQueries.some((t) => !t.queries.length)) return finish(docs, q, [], () => 0, true);
      const verify = (slot: number, match: Record<string, string[]>): boolean => q.terms.every((term) => term.some((alt) => groups.some(([kind, fields]) => {
        const tokens = queryTokens(alt, kind);
        if (!tokens.length) return false;
        if (!needsPhraseCheck(alt, kind)) return (match[tokens[0]] ?? []).some((f) => fields.includes(f as SearchField));
        return phraseInFields(phrases, slot, alt, kind, fields);
      })));
      const results = ms.search({ combineWith: 'AND', queries: termQueries }, {
        filter: (r) => verify(r.id as number, r.match),
      });
      return finish(docs, q, results.map((r) => r.id as number), () => 0, true);
    },
  };
}

function buildOurs(docs: SearchDocument[], tick: (i: number) => void): PeerEngine {
  const m = new MemoryIndex();
  for (let i = 0; i < docs.length; i++) {
    m.put(docs[i]);
    if ((i + 1) % 10_000 === 0) tick(i + 1);
  }
  return {
    search(q) {
      const r = m.query(q);
      return { total: r.total, top: [], facets: r.facets };
    },
  };
}

async function peerChild(job: PeerJob): Promise<void> {
  let t = performance.now();
  const docs = await readDocs(job.docsFile, job.n);
  const queries = JSON.parse(readFileSync(job.queriesFile, 'utf8')) as SearchQuery[];
  const phrases = job.peer === 'embedded-memory' ? [] : phraseTable(docs);
  const readS = (performance.now() - t) / 1000;
  gc();
  const rssDocs = process.memoryUsage().rss;
  const heapDocs = process.memoryUsage().heapUsed;
  send({ type: 'phase', phase: 'build' });
  t = performance.now();
  const tick = (i: number) => send({ type: 'progress', line: `${job.peer}: indexed ${int(i)} / ${int(docs.length)} (${((performance.now() - t) / 1000).toFixed(1)} s, rss ${mb(process.memoryUsage().rss)})` });
  const engine = job.peer === 'lunr' ? await buildLunr(docs, phrases, tick) : job.peer === 'minisearch' ? await buildMiniSearch(docs, phrases, tick) : buildOurs(docs, tick);
  const buildS = (performance.now() - t) / 1000;
  gc();
  const rssBuilt = process.memoryUsage().rss;
  const heapBuilt = process.memoryUsage().heapUsed;
  send({ type: 'progress', line: `${job.peer}: built in ${buildS.toFixed(1)} s, rss ${mb(rssBuilt)}, heap ${mb(heapBuilt)}` });
  send({ type: 'phase', phase: 'query' });

  for (let i = 0; i < Math.min(job.warmup, queries.length); i++) engine.search(queries[i]);
  const samples: number[][] = queries.map(() => []);
  const totals: number[] = [];
  const started = performance.now();
  let measuredRounds = 0;
  let complete = true;
  rounds: for (let round = 0; round < job.rounds; round++) {
    for (let i = 0; i < queries.length; i++) {
      const t0 = performance.now();
      const r = engine.search(queries[i]);
      samples[i].push(performance.now() - t0);
      totals[i] = r.total;
      if (performance.now() - started > job.queryBudgetS * 1000) {
        // Out of time: a complete first round is required, further rounds are a bonus.
        if (round === 0 && i < queries.length - 1) complete = false;
        if (round === 0 && i < queries.length - 1) send({ type: 'progress', line: `${job.peer}: query budget spent after ${i + 1} of ${queries.length} queries` });
        measuredRounds = round + (i === queries.length - 1 ? 1 : 0);
        break rounds;
      }
    }
    measuredRounds = round + 1;
    send({ type: 'progress', line: `${job.peer}: round ${round + 1} of ${job.rounds} done (${((performance.now() - started) / 1000).toFixed(1)} s)` });
  }
  const report: PeerReport = {
    peer: job.peer, n: docs.length, readS, buildS, rssDocs, heapDocs, rssBuilt, heapBuilt, rssPeak: process.resourceUsage().maxRSS * 1024,
    samples, totals, measuredRounds, complete,
  };
  send({ type: 'result', report });
}

interface ChildOutcome<T> {
  report?: T;
  failure?: string;
}

/** Runs this file as a child in `mode`; kills it when a phase overruns its budget. */
function runChild<T>(mode: string, job: unknown, opts: { heapMb?: number; budgets?: Partial<Record<'build' | 'query' | 'all', number>> } = {}): Promise<ChildOutcome<T>> {
  return new Promise((resolveOutcome) => {
    const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), '--expose-gc'];
    if (opts.heapMb) execArgv.push(`--max-old-space-size=${opts.heapMb}`);
    const child: ChildProcess = fork(import.meta.filename, ['--bench-child', mode], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    let outcome: ChildOutcome<T> = {};
    let timer: NodeJS.Timeout | undefined;
    const arm = (phase: 'build' | 'query' | 'all') => {
      clearTimeout(timer);
      const s = opts.budgets?.[phase];
      if (s) {
        timer = setTimeout(() => {
          outcome = { failure: `${phase} took longer than ${s} s; stopped` };
          child.kill('SIGKILL');
        }, s * 1000);
      }
    };
    arm('all');
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') progress(m.line);
      else if (m.type === 'phase') arm(m.phase);
      else if (m.type === 'result') outcome = { report: m.report as T };
      else if (m.type === 'error') outcome = { failure: m.message };
    });
    child.once('spawn', () => child.send(job as object));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (!outcome.report && !outcome.failure) {
        outcome = { failure: signal ? `killed by ${signal} (out of memory?)` : `exited with code ${code}${code === 134 ? ' (heap out of memory)' : ''}` };
      }
      resolveOutcome(outcome);
    });
  });
}

const children = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------------------------
// autocannon, in a child process

interface CannonJob {
  url: string;
  paths: string[];
  connections: number;
  seconds: number;
  warmupSeconds: number;
  headers: Record<string, string>;
}

interface CannonReport {
  rps: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function cannonChild(job: CannonJob): Promise<void> {
  // No type declarations ship with autocannon; its programmatic API is called through require.
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  let next = 0;
  const run = (seconds: number) => autocannon({
    url: job.url, connections: job.connections, duration: seconds, headers: job.headers,
    requests: [{ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: job.paths[next++ % job.paths.length] }) }],
  });
  send({ type: 'progress', line: `autocannon: warm-up ${job.warmupSeconds} s` });
  await run(job.warmupSeconds);
  send({ type: 'progress', line: `autocannon: measuring ${job.seconds} s, ${job.connections} connections` });
  const r = await run(job.seconds);
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
  const report: CannonReport = {
    rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.average,
    errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, statusCodes,
  };
  send({ type: 'result', report });
}

// ---------------------------------------------------------------------------------------------------------------
// A small HTTP client that keeps cookies and signs in through the form, as a browser does

class Client {
  private readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(this.base + path, { ...init, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }

  async json<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: T }> {
    const res = await this.fetch(path, { ...init, headers: { accept: 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async login(username: string, password: string): Promise<void> {
    const html = await (await this.fetch('/login', { headers: { accept: 'text/html' } })).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF token on /login');
    const res = await this.fetch('/login', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: m[1], username, password, next: '/resources' }).toString(),
    });
    if (res.status !== 303 || res.headers.get('location')?.includes('failed')) throw new Error(`login failed for ${username}: ${res.status}`);
  }
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

// ---------------------------------------------------------------------------------------------------------------

const openDirs = new Set<string>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of openDirs) rmSync(d, { recursive: true, force: true });
});

function fileSize(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      total += statSync(f).size;
    } catch {
      // not there
    }
  }
  return total;
}

interface PeerFigures {
  peer: string;
  report?: PeerReport;
  /** Our MemoryIndex at the peer's N, when that is below the full N. */
  reference?: PeerReport;
  attempts: string[];
}

function flatSamples(samples: number[][], pick: (i: number) => boolean = () => true): number[] {
  const outS: number[] = [];
  samples.forEach((s, i) => {
    if (pick(i)) outS.push(...s);
  });
  return outS;
}

export async function runSearchBench(): Promise<void> {
  const cpu = cpus();
  const sqlite = new DatabaseSync(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();
  const lunrVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../node_modules/lunr/package.json'), 'utf8')) as { version: string }).version;
  const msVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../node_modules/minisearch/package.json'), 'utf8')) as { version: string }).version;
  const acVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;

  console.log('');
  console.log('Search benchmark (issue 3, Discovery)');
  console.log('=====================================');
  out('machine', `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} CPUs, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM`);
  out('runtime', `node ${process.version} (${process.platform}/${process.arch}), SQLite ${sqliteVersion}`);
  out('peers', `lunr ${lunrVersion}, MiniSearch ${msVersion}; autocannon ${acVersion}`);
  out('load average at start (1/5/15 min)', `${load()}  (above ~0.3 means something else is using the CPUs)`);
  out('code measured', codeVersion());
  out('data', `bench/generate.ts, seed 0x${DEFAULT_SEED.toString(16)}`);
  if (QUICK) out('mode', `QUICK (BENCH_QUICK=1): N scaled down ${SCALE}x, shorter phases; a smoke run, NOT the target measurement`);
  else out('mode', 'full size');
  rss('start');

  const dir = mkdtempSync(join(tmpdir(), 'search-bench-'));
  openDirs.add(dir);
  const storeFile = join(dir, 'catalog.db');
  const searchFile = join(dir, 'search.db');
  const store = openEmbeddedStore({ path: storeFile, auditKey: BENCH_AUDIT_KEY });
  const engine = openEmbeddedSearch({ path: searchFile });
  const synonyms = loadSynonyms();
  const groups = synonymGroups(synonyms);
  const verdicts: [string, string, string, boolean | undefined][] = [];
  let server: Server | undefined;
  let services: ReturnType<typeof searchServices> | undefined;

  try {
    // -- S1. The corpus --------------------------------------------------------------------------------------
    heading(`S1. Corpus: ${int(N_DOCS)} resources through the store`);
    await ensureReferenceData(store);
    await createUser(store, { username: STEWARD_USERNAME, displayName: STEWARD.displayName, password: STEWARD_PASSWORD, agencyId: STEWARD_AGENCY, roles: STEWARD.roles }, SEED_ACTOR);
    const loaded = await loadCorpus(store, N_DOCS);
    out('loaded (validate → code → build → createMany)', `${int(N_DOCS)} records in ${loaded.seconds.toFixed(1)} s (${int(N_DOCS / loaded.seconds)} records/s)`);
    out('status mix', [...loaded.byStatus].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${int(n)}`).join(', '));
    out('agencies with unpublished entries', [...DRAFT_AGENCIES].join(', '));
    out('store file', mb(fileSize(storeFile)));
    const rssLoaded = rss('load');

    // -- S2. Full rebuild ------------------------------------------------------------------------------------
    heading(`S2. Full rebuild into a fresh embedded engine (target <= ${TARGET_REBUILD_S} s)`);
    await engine.open();
    const t0 = performance.now();
    out('load average now (1/5/15 min)', load());
    const rebuilt = await rebuildIndex(store, engine, {
      onProgress: (n, total) => {
        if (n % PROGRESS_EVERY === 0 || n === total) progress(`rebuild: ${int(n)} / ${int(total)} (${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${mb(process.memoryUsage().rss)})`);
      },
    });
    const rebuildS = (performance.now() - t0) / 1000;
    const status = await engine.status();
    out('rebuildIndex (store feed → toDocument → engine)', `${int(rebuilt.loaded)} documents in ${rebuildS.toFixed(1)} s (${int(rebuilt.loaded / rebuildS)} docs/s)`);
    out('index', `${status.indexName}, ${int(status.docCount ?? 0)} documents, search.db ${mb(fileSize(searchFile))}`);
    const rssRebuilt = rss('rebuild');
    const pass3 = rebuildS <= TARGET_REBUILD_S;
    out('result', `${rebuildS.toFixed(1)} s vs <= ${TARGET_REBUILD_S} s: ${verdict(pass3)}`);
    verdicts.push(['3', `full rebuild, ${int(N_DOCS)} documents`, `${rebuildS.toFixed(1)} s (<= ${TARGET_REBUILD_S} s)`, pass3]);

    // -- S3. In-process queries ------------------------------------------------------------------------------
    const queries = await buildQueries(groups, (q) => engine.query(q));
    heading(`S3. In-process search, embedded engine (target p95 <= ${TARGET_QUERY_P95_MS} ms, text + 2 filters + all facets)`);
    out('query set', `${queries.length} queries: ${KINDS.map((k) => `${queries.filter((q) => q.kind === k).length} ${k}`).join(', ')}; each also with agency + share-type filter`);
    out('every query', `visibility of a data steward of ${STEWARD_AGENCY}, all ${FACET_NAMES.length} facets, relevance, first 20`);
    out('filters', 'agency (sub-agencies included) + share type, picked from the plain query\'s own facet buckets');
    out('timed', `engine.query(SearchQuery), 1 warm-up round + ${ROUNDS} measured rounds, fixed interleaved order`);
    out('load average now (1/5/15 min)', load());
    const ours: number[][] = queries.map(() => []);
    const ourTotals: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      for (let i = 0; i < queries.length; i++) {
        const s = performance.now();
        const r = await engine.query(queries[i].query);
        const dt = performance.now() - s;
        if (round > 0) ours[i].push(dt);
        ourTotals[i] = r.total;
      }
      if (round > 0) progress(`queries: round ${round} of ${ROUNDS}`);
    }
    const kindsAll = [...KINDS, ...KINDS.map((k) => `${k} + 2 filters`)];
    console.log('');
    out('kind (queries)', 'latency per query                                                                   mean hits');
    for (const kind of kindsAll) {
      const idx = queries.map((q, i) => (q.kind === kind ? i : -1)).filter((i) => i >= 0);
      const hits = idx.reduce((s, i) => s + ourTotals[i], 0) / idx.length;
      out(`  ${kind} (${idx.length})`, `${latencyLine(summarise(flatSamples(ours, (i) => queries[i].kind === kind)))}  ${int(hits).padStart(7)}`);
    }
    const oursAll = summarise(flatSamples(ours));
    const oursFiltered = summarise(flatSamples(ours, (i) => queries[i].filtered));
    const oursPlain = summarise(flatSamples(ours, (i) => !queries[i].filtered));
    out(`  plain, all kinds (${queries.filter((q) => !q.filtered).length})`, latencyLine(oursPlain));
    out(`  + 2 filters, all kinds (${queries.filter((q) => q.filtered).length})`, latencyLine(oursFiltered));
    out(`  overall (${queries.length} x ${ROUNDS} = ${int(oursAll.n)} samples)`, latencyLine(oursAll));
    const medians = ours.map((s) => summarise(s).p50);
    const slowest = queries.map((_, i) => i).sort((a, b) => medians[b] - medians[a]).slice(0, 8);
    out('slowest queries (median of rounds)', '');
    for (const i of slowest) {
      const q = queries[i];
      out(`    ${q.text}${q.filtered ? ` [${q.params.agency}, ${q.params.shareType}]` : ''}`, `${ms(medians[i])} median, ${ms(Math.max(...ours[i]))} max, ${int(ourTotals[i])} hits`);
    }
    rss('queries');
    const pass1 = oursFiltered.p95 <= TARGET_QUERY_P95_MS;
    const pass1all = oursAll.p95 <= TARGET_QUERY_P95_MS;
    out('result (text + 2 filters + facets)', `p95 ${ms(oursFiltered.p95)} vs <= ${TARGET_QUERY_P95_MS} ms: ${verdict(pass1)}`);
    out('result (all queries, plain ones too)', `p95 ${ms(oursAll.p95)} vs <= ${TARGET_QUERY_P95_MS} ms: ${verdict(pass1all)}`);
    verdicts.push(['1', 'search, text + 2 filters + all facets', `p95 ${ms(oursFiltered.p95)} (<= ${TARGET_QUERY_P95_MS} ms)`, pass1]);
    verdicts.push(['1', 'search, all queries incl. plain', `p95 ${ms(oursAll.p95)} (<= ${TARGET_QUERY_P95_MS} ms)`, pass1all]);

    // -- S4. Peers -------------------------------------------------------------------------------------------
    heading(`S4. Peers: lunr and MiniSearch, same documents, tokens, fields, boosts, filters, facets (target: ours >= ${TARGET_PEER_RATIO}x faster at p95)`);
    const docsFile = join(dir, 'documents.jsonl');
    const queriesFile = join(dir, 'queries.json');
    {
      const w = createWriteStream(docsFile, 'utf8');
      for await (const d of engine.scan()) if (!w.write(`${JSON.stringify(d)}\n`)) await new Promise<void>((r) => w.once('drain', () => r()));
      await new Promise<void>((r, j) => w.end((e?: Error | null) => (e ? j(e) : r())));
      writeFileSync(queriesFile, JSON.stringify(queries.map((q) => q.query)));
    }
    out('method', 'each peer in its own child process (heap cap ' + `${PEER_HEAP_MB / 1024} GB, build budget ${PEER_BUILD_BUDGET_S} s, query budget ${PEER_QUERY_BUDGET_S} s)`);
    out('', 'documents exported from our index (same SearchDocument), tokens from domain/text.ts indexTokens/queryTokens,');
    out('', 'multi-token matches verified against the same phrase text as ours; filters by matchesCond, facets counted in JS');
    out('', `timed: one query from SearchQuery to total + facets + first page; ${PEER_WARMUP} warm-up queries, up to ${PEER_ROUNDS} rounds`);
    const peerFigures: PeerFigures[] = [];
    for (const peer of PEERS ? (['lunr', 'minisearch'] as const) : []) {
      const fig: PeerFigures = { peer, attempts: [] };
      for (const n of PEER_SIZES) {
        progress(`${peer}: building at N = ${int(n)}`);
        const res = await runChild<PeerReport>('peer', { peer, docsFile, queriesFile, n, rounds: PEER_ROUNDS, warmup: PEER_WARMUP, queryBudgetS: PEER_QUERY_BUDGET_S } satisfies PeerJob, {
          heapMb: PEER_HEAP_MB, budgets: { all: PEER_BUILD_BUDGET_S + 120, build: PEER_BUILD_BUDGET_S, query: PEER_QUERY_BUDGET_S + 60 },
        });
        if (res.report && res.report.complete) {
          fig.report = res.report;
          break;
        }
        fig.attempts.push(`could not run at N = ${int(n)}: ${res.failure ?? 'query round not completed within the budget'}`);
      }
      if (fig.report && fig.report.n < N_DOCS) {
        progress(`embedded MemoryIndex at N = ${int(fig.report.n)} for a like-for-like ratio`);
        const ref = await runChild<PeerReport>('peer', { peer: 'embedded-memory', docsFile, queriesFile, n: fig.report.n, rounds: 3, warmup: queries.length, queryBudgetS: 300 } satisfies PeerJob, { heapMb: 4096 });
        fig.reference = ref.report;
        if (!ref.report) fig.attempts.push(`(our MemoryIndex at ${int(fig.report.n)} failed: ${ref.failure}; the ratio below is against ours at ${int(N_DOCS)})`);
      }
      peerFigures.push(fig);
    }
    console.log('');
    for (const fig of peerFigures) {
      const name = fig.peer === 'lunr' ? 'lunr' : 'MiniSearch';
      for (const a of fig.attempts) out(name, a);
      const r = fig.report;
      if (!r) {
        out(name, 'no size worked: not measured');
        verdicts.push(['2', `${name} p95 / ours p95`, 'not measured (see above)', false]);
        continue;
      }
      const all = summarise(flatSamples(r.samples));
      const filtered = summarise(flatSamples(r.samples, (i) => queries[i].filtered));
      out(`${name} at N = ${int(r.n)}`, `build ${r.buildS.toFixed(1)} s; rss ${mb(r.rssDocs)} with the documents, ${mb(r.rssBuilt)} built (+${mb(r.rssBuilt - r.rssDocs)}), peak ${mb(r.rssPeak)}; heap +${mb(r.heapBuilt - r.heapDocs)}`);
      out(`  all queries (${int(all.n)} samples, ${r.measuredRounds} round${r.measuredRounds === 1 ? '' : 's'})`, latencyLine(all));
      out('  + 2 filters', latencyLine(filtered));
      for (const kind of KINDS) out(`  ${kind}, plain`, latencyLine(summarise(flatSamples(r.samples, (i) => queries[i].kind === kind))));
      const base = fig.reference ?? undefined;
      const ourAllHere = base ? summarise(flatSamples(base.samples)) : oursAll;
      const ourFilteredHere = base ? summarise(flatSamples(base.samples, (i) => queries[i].filtered)) : oursFiltered;
      const refTotals = base ? base.totals : ourTotals;
      const agree = r.totals.filter((t, i) => t === refTotals[i]).length;
      out('  totals agree with ours', `${agree} / ${queries.length} queries`);
      if (agree < queries.length) {
        const diffs = r.totals.map((t, i) => [i, t] as const).filter(([i, t]) => t !== refTotals[i]).slice(0, 5);
        for (const [i, t] of diffs) out(`    ${queries[i].text}${queries[i].filtered ? ' [filtered]' : ''}`, `ours ${refTotals[i]}, ${name} ${t}`);
      }
      if (base) out(`  ours at the same N (MemoryIndex, child)`, `all ${latencyLine(ourAllHere)}`);
      const rAll = all.p95 / ourAllHere.p95;
      const rFiltered = filtered.p95 / ourFilteredHere.p95;
      const ok = rAll >= TARGET_PEER_RATIO && rFiltered >= TARGET_PEER_RATIO;
      if (r.n < N_DOCS) out('  note', `${name} could not be built at ${int(N_DOCS)} within the budget; the ratio is at ${int(r.n)}, both sides`);
      out(`  ratio ${name} p95 / ours p95${base ? ` (both at ${int(r.n)})` : ''}`, `all ${ratio(rAll)}, + 2 filters ${ratio(rFiltered)}, p50 ${ratio(all.p50 / ourAllHere.p50)}: ${verdict(ok)}`);
      verdicts.push(['2', `${name} p95 / ours p95${r.n < N_DOCS ? ` (at ${int(r.n)})` : ''}`, `${ratio(rAll)} (>= ${TARGET_PEER_RATIO}x)`, ok]);
    }
    rmSync(docsFile, { force: true });

    // -- S5. Write → searchable ------------------------------------------------------------------------------
    heading(`S5. A write is searchable within ${TARGET_VISIBLE_MS} ms (app in-process, HTTP, steward of ${STEWARD_AGENCY})`);
    services = searchServices(store, engine, synonyms, silentLogger);
    services.sync.start();
    const app = createApp({
      store, synonyms, now: () => new Date(), log: silentLogger, search: services,
      config: { sessionSecret: 'b'.repeat(40), sessionIdleMinutes: 30, sessionAbsoluteHours: 12, trustProxy: 0, secureCookies: false, env: 'production', searchRatePerSecond: 0 },
    });
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    out('app', `createApp + searchServices (production sync settings: poll 500 ms, kicked by writes), ${url}, rate limit off`);
    const steward = new Client(url);
    await steward.login(STEWARD_USERNAME, STEWARD_PASSWORD);
    const writeGen = new ResourceGenerator({ seed: DEFAULT_SEED ^ 0x3217e });
    const fromPost: number[] = [];
    const fromAck: number[] = [];
    const postMs: number[] = [];
    let missed = 0;
    for (let i = 0; i < WRITES; i++) {
      let input: ResourceInput;
      do input = writeGen.next(); while (input.provider.agencyId !== STEWARD_AGENCY);
      const token = `benchwrite${String(i).padStart(3, '0')}`;
      const body = { ...input, name: `${input.name}(写入时效测试${i + 1})`, keywords: [...input.keywords, token].slice(0, 30) };
      const tPost = performance.now();
      const created = await steward.json<{ resource: { id: string } }>('/api/v1/resources', { method: 'POST', json: body });
      const tAck = performance.now();
      if (created.status !== 201) throw new Error(`POST /api/v1/resources answered ${created.status}: ${JSON.stringify(created.body).slice(0, 300)}`);
      const id = created.body.resource.id;
      let seen = false;
      while (performance.now() - tPost < WRITE_GIVE_UP_MS) {
        const r = await steward.json<{ hits: { id: string }[] }>(searchPath({ q: token }));
        if (r.status === 200 && r.body.hits.some((h) => h.id === id)) {
          const tSeen = performance.now();
          fromPost.push(tSeen - tPost);
          fromAck.push(tSeen - tAck);
          postMs.push(tAck - tPost);
          seen = true;
          break;
        }
        await sleep(WRITE_POLL_MS);
      }
      if (!seen) missed++;
      await sleep(WRITE_GAP_MS);
    }
    const vis = summarise(fromPost);
    const visAck = summarise(fromAck);
    out('writes', `${WRITES} × POST /api/v1/resources (draft), then GET /api/v1/search?q=<its keyword> every ${WRITE_POLL_MS} ms`);
    out('POST round trip', latencyLine(summarise(postMs)));
    out('searchable after POST was sent', latencyLine(vis));
    out('searchable after 201 was received', latencyLine(visAck));
    if (missed) out('never found within 10 s', `${missed} of ${WRITES}`);
    const pass4 = missed === 0 && vis.max <= TARGET_VISIBLE_MS;
    out('result', `max ${ms(vis.max)} (p95 ${ms(vis.p95)}) vs <= ${TARGET_VISIBLE_MS} ms: ${verdict(pass4)}`);
    verdicts.push(['4', 'write → searchable, HTTP', `max ${ms(vis.max)}, p50 ${ms(vis.p50)} (<= ${TARGET_VISIBLE_MS} ms)`, pass4]);
    await services.sync.drain();

    // -- S6. HTTP throughput ---------------------------------------------------------------------------------
    heading(`S6. HTTP throughput, autocannon (target >= ${TARGET_RPS} req/s with p99 <= ${TARGET_HTTP_P99_MS} ms)`);
    const paths = queries.map((q) => searchPath(q.params));
    out('load', `${HTTP_CONNECTIONS} connections, ${HTTP_SECONDS} s after ${HTTP_WARMUP_SECONDS} s warm-up, GET /api/v1/search rotating over ${paths.length} query strings`);
    out('', 'autocannon in a child process (its own core); the server, sync worker and store in this one');
    out('load average now (1/5/15 min)', load());
    const runs: [string, Record<string, string>][] = [['anonymous (public visibility)', {}], [`signed-in steward (${STEWARD_AGENCY}, session cookie)`, { cookie: steward.cookieHeader() }]];
    for (const [label, headers] of runs) {
      const res = await runChild<CannonReport>('autocannon', { url, paths, connections: HTTP_CONNECTIONS, seconds: HTTP_SECONDS, warmupSeconds: HTTP_WARMUP_SECONDS, headers } satisfies CannonJob, {
        budgets: { all: HTTP_SECONDS + HTTP_WARMUP_SECONDS + 60 },
      });
      const r = res.report;
      if (!r) {
        out(label, `autocannon failed: ${res.failure}`);
        continue;
      }
      const ok = r.rps >= TARGET_RPS && r.p99 <= TARGET_HTTP_P99_MS && r.errors === 0 && r.timeouts === 0 && r.non2xx === 0;
      out(label, `${int(r.rps)} req/s, latency p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms`);
      out('', `${int(r.total)} requests, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}; status ${JSON.stringify(r.statusCodes)}: ${verdict(ok)}`);
      verdicts.push(['5', `HTTP search, ${label.split(' (')[0]}`, `${int(r.rps)} req/s, p99 ${r.p99} ms`, ok]);
    }
    rss('HTTP phases');

    const peakBeforeServingRebuild = peakRss();

    // -- S7. Rebuild while serving ---------------------------------------------------------------------------
    heading('S7. Rebuild while the old index serves (the administrator\'s rebuild; not a target, memory counts in S8)');
    const during: number[] = [];
    let failedDuring = 0;
    let stop = false;
    const prober = (async () => {
      for (let i = 0; !stop; i++) {
        const s0 = performance.now();
        try {
          await engine.query(queries[i % queries.length].query);
          during.push(performance.now() - s0);
        } catch {
          failedDuring++;
        }
        await sleep(50);
      }
    })();
    const t1 = performance.now();
    const again = await services.rebuild();
    const servingRebuildS = (performance.now() - t1) / 1000;
    stop = true;
    await prober;
    out('searchServices.rebuild() (sync held for catch-up)', `${int(again.loaded)} documents in ${servingRebuildS.toFixed(1)} s`);
    out('queries meanwhile, every 50 ms (in-process)', `${during.length} answered, ${failedDuring} refused; ${latencyLine(summarise(during))}`);
    out('', '(latency includes waiting for the event loop: the rebuild yields between batches of 1,000)');
    const rssServingRebuild = rss('rebuild while serving');

    // -- S8. Memory ------------------------------------------------------------------------------------------
    heading(`S8. Resident memory of the app process (target <= ${mb(TARGET_RSS)})`);
    for (const [label, line] of rssLog) out(`rss after ${label}`, line);
    const peak = peakRss();
    out('peak rss before S7 (getrusage maxrss)', mb(peakBeforeServingRebuild));
    out('peak rss, whole run (getrusage maxrss)', mb(peak));
    const pass6 = peak <= TARGET_RSS;
    out('result', `peak ${mb(peak)} vs <= ${mb(TARGET_RSS)}: ${verdict(pass6)}`);
    verdicts.push(['6', 'resident memory, peak of the whole run', `${mb(peak)} (load ${mb(rssLoaded)}, rebuild ${mb(rssRebuilt)})`, pass6]);
    out('', `peak before the rebuild-while-serving: ${mb(peakBeforeServingRebuild)}; rss after it ${mb(rssServingRebuild)}`);
  } catch (e) {
    console.log('');
    out('ERROR: the search benchmark stopped', e instanceof Error ? `${e.message}\n${e.stack}` : String(e));
    verdicts.push(['-', 'benchmark run', 'stopped by an error (see above)', false]);
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server!.close(() => r()));
    }
    await services?.sync.stop();
    await engine.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    openDirs.delete(dir);
  }

  heading(`Search summary${QUICK ? ' (QUICK: N scaled down 10x, not the target measurement)' : ''}`);
  for (const [n, what, figure, ok] of verdicts) {
    console.log(`target ${n.padEnd(2)} ${what.padEnd(44)} ${figure.padEnd(52)} ${ok === undefined ? '' : verdict(ok)}`);
  }
  out('load average at end (1/5/15 min)', load());
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points: a child (peer or autocannon), or the benchmark run on its own

const childAt = process.argv.indexOf('--bench-child');
if (childAt >= 0) {
  const mode = process.argv[childAt + 1];
  process.once('message', (job: unknown) => {
    const work = mode === 'peer' ? peerChild(job as PeerJob) : mode === 'autocannon' ? cannonChild(job as CannonJob) : Promise.reject(new Error(`unknown child mode ${mode}`));
    work.then(
      () => process.disconnect(),
      (e: unknown) => {
        send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
        process.disconnect();
      },
    );
  });
} else if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runSearchBench();
}
