// Catalog-foundation benchmark (`npm run bench`). Two targets from the issue:
//   1. bulk registration of 10,000 valid resources into the embedded store >= 2,000 records/s, validation included;
//   2. reading a resource by code: p95 <= 2 ms with 100,000 resources stored.
// Each measurement gets a fresh store: a real SQLite file in WAL mode under os.tmpdir(), as in production use,
// removed afterwards. Records come from bench/generate.ts (fixed seed). Peers are measured in the same run and
// reported as ratios. The exit code is 0 whatever the outcome: this is a report; FAIL is printed, not thrown.
//
// BENCH_QUICK=1 scales every N down 10x for a smoke run.
//
// Parts: `npm run bench` runs the catalog benchmark above and then the search benchmark (bench/search.ts, issue 3).
// One part only: `npm run bench -- catalog` or `npm run bench -- search` (or BENCH_PARTS=catalog / search).

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, statfsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { buildResource } from '../server/actions/resources/catalog.ts';
import { openEmbeddedStore } from '../server/adapters/store/embedded/store.ts';

/** A throwaway key: benchmark stores live in temporary directories. */
const BENCH_AUDIT_KEY = Buffer.from('bench-audit-key-'.padEnd(40, 'x'));
import { loadSynonyms } from '../server/compose.ts';
import { classificationCode, resourceCode } from '../server/domain/codes.ts';
import { authorityItems } from '../server/domain/overlap.ts';
import { type Resource, type ResourceInput, type ValidationContext, validateResourceInput } from '../server/domain/resource.ts';
import { findClassificationMarkings } from '../server/domain/secrecy.ts';
import type { SynonymMap } from '../server/domain/synonyms.ts';
import type { Store } from '../server/ports/store.ts';
import { SEED_ACTOR, ensureReferenceData } from '../server/seed/bootstrap.ts';
import { DEFAULT_SEED, ResourceGenerator } from './generate.ts';
import { mulberry32 } from '../server/seed/random.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const SCALE = QUICK ? 10 : 1;
const N_BULK = 10_000 / SCALE;
const N_STORED = 100_000 / SCALE;
const LOOKUPS = 20_000 / SCALE;
const WARMUP = 1_000 / SCALE;
const BATCH = 500;
const PROGRESS_EVERY = 10_000 / SCALE;

const TARGET_RATE = 2_000; // records/s
const TARGET_P95_MS = 2;

const ACTOR = { userId: SEED_ACTOR.userId, username: SEED_ACTOR.username };

// ---------------------------------------------------------------------------------------------------------------
// Output

const LABEL = 46;
function out(label: string, value = ''): void {
  console.log(value === '' ? label : `${label.padEnd(LABEL)} ${value}`);
}
function heading(title: string): void {
  console.log('');
  console.log(title);
  console.log('-'.repeat(title.length));
}
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(3)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const secs = (ns: bigint) => Number(ns) / 1e9;
function rss(after: string): void {
  out(`rss after ${after}`, mb(process.memoryUsage().rss));
}
function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL  <<<';
}

const FS_TYPES: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x6969: 'nfs' };

// ---------------------------------------------------------------------------------------------------------------
// Fresh stores

const openDirs = new Set<string>();
process.on('exit', () => {
  for (const d of openDirs) rmSync(d, { recursive: true, force: true });
});

async function withFreshStore<T>(fn: (store: Store, file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-bench-'));
  openDirs.add(dir);
  const file = join(dir, 'catalog.db');
  const store = openEmbeddedStore({ path: file, auditKey: BENCH_AUDIT_KEY });
  try {
    await ensureReferenceData(store);
    return await fn(store, file);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    openDirs.delete(dir);
  }
}

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

function journalMode(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Registration: the per-record path of an import

interface StageTimes {
  screen: bigint;
  validate: bigint;
  sequence: bigint;
  build: bigint;
  write: bigint;
}

interface Registrar {
  add(input: ResourceInput): Promise<Resource>;
  flush(): Promise<void>;
  readonly times: StageTimes;
  readonly codes: string[];
  readonly ids: string[];
}

/**
 * What a real import does for every record: the secrecy screen (B10), validateResourceInput with a context built
 * from the store's reference data, the next sequence under the node and the resource code, buildResource (with the
 * folded authority items), and the store write: createMany per `BATCH` records, or `create` per record.
 */
async function registrar(store: Store, synonyms: SynonymMap, mode: 'batch' | 'single', keepIds: boolean): Promise<Registrar> {
  const agencies = new Map((await store.agencies.list({ limit: 1000 })).items.map((a) => [a.id, a]));
  const nodes = new Set((await store.classification.list({ limit: 1000 })).items.map((n) => n.code));
  const codeSet = new Set<string>();
  const ctx: ValidationContext = {
    classificationExists: (c) => nodes.has(c),
    agency: (id) => agencies.get(id),
    resourceCodeExists: (c) => codeSet.has(c),
  };
  const times: StageTimes = { screen: 0n, validate: 0n, sequence: 0n, build: 0n, write: 0n };
  const codes: string[] = [];
  const ids: string[] = [];
  const now = new Date();
  let pending: Resource[] = [];

  const write = async (docs: Resource[]) => {
    const t = process.hrtime.bigint();
    if (mode === 'batch') await store.resources.createMany(docs, ACTOR);
    else for (const d of docs) await store.resources.create(d, ACTOR);
    times.write += process.hrtime.bigint() - t;
  };

  return {
    times, codes, ids,
    async add(input) {
      let t0 = process.hrtime.bigint();
      const marked = findClassificationMarkings(input);
      let t1 = process.hrtime.bigint();
      times.screen += t1 - t0;
      if (marked.length) throw new Error(`generated record "${input.name}" carries a classification marking at ${marked.join(', ')}`);

      t0 = t1;
      const { value, errors } = validateResourceInput(input, ctx);
      t1 = process.hrtime.bigint();
      times.validate += t1 - t0;
      if (!value) throw new Error(`generated record "${input.name}" is invalid: ${JSON.stringify(errors.slice(0, 3))}`);

      t0 = t1;
      const node = classificationCode(value.classification);
      const code = resourceCode(node, await store.resources.nextSequence(node));
      t1 = process.hrtime.bigint();
      times.sequence += t1 - t0;

      t0 = t1;
      const doc = buildResource(value, undefined, {
        code, agency: agencies.get(value.provider.agencyId)!, actor: SEED_ACTOR, now, authority: authorityItems(synonyms, value),
      });
      t1 = process.hrtime.bigint();
      times.build += t1 - t0;

      codeSet.add(code);
      codes.push(code);
      if (keepIds) ids.push(doc.id);
      pending.push(doc);
      if (mode === 'single' || pending.length >= BATCH) {
        const docs = pending;
        pending = [];
        await write(docs);
      }
      return doc;
    },
    async flush() {
      if (pending.length) {
        const docs = pending;
        pending = [];
        await write(docs);
      }
    },
  };
}

interface RegistrationResult {
  seconds: number;
  rate: number;
  times: StageTimes;
}

async function registerAll(store: Store, synonyms: SynonymMap, inputs: ResourceInput[], mode: 'batch' | 'single'): Promise<RegistrationResult> {
  const start = process.hrtime.bigint();
  const reg = await registrar(store, synonyms, mode, false);
  for (const input of inputs) await reg.add(input);
  await reg.flush();
  const seconds = secs(process.hrtime.bigint() - start);
  const stored = await store.resources.count();
  if (stored !== inputs.length) throw new Error(`expected ${inputs.length} stored resources, found ${stored}`);
  return { seconds, rate: inputs.length / seconds, times: reg.times };
}

function printStages(r: RegistrationResult, n: number): void {
  const stages: [string, bigint][] = [
    ['secrecy screen', r.times.screen], ['validateResourceInput', r.times.validate], ['nextSequence + resourceCode', r.times.sequence],
    ['buildResource (+ authority items)', r.times.build], ['store writes', r.times.write],
  ];
  const total = stages.reduce((s, [, t]) => s + t, 0n);
  for (const [name, t] of stages) {
    const pct = total ? (Number(t) / Number(total)) * 100 : 0;
    out(`  ${name}`, `${(Number(t) / 1e6 / n * 1000).toFixed(1).padStart(7)} us/record  ${pct.toFixed(1).padStart(5)} %`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function summarise(samples: Float64Array): LatencySummary {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of s) sum += x;
  return { p50: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99), max: s[s.length - 1], mean: sum / s.length };
}

function printLatency(label: string, l: LatencySummary): void {
  out(label, `p50 ${ms(l.p50)}   p95 ${ms(l.p95)}   p99 ${ms(l.p99)}   mean ${ms(l.mean)}   max ${ms(l.max)}`);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpu = cpus();
  const fsType = FS_TYPES[statfsSync(tmpdir()).type] ?? `0x${statfsSync(tmpdir()).type.toString(16)}`;
  const sqlite = new DatabaseSync(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();

  console.log('Catalog foundation benchmark');
  console.log('============================');
  out('machine', `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} CPUs, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM`);
  out('runtime', `node ${process.version} (${process.platform}/${process.arch}), SQLite ${sqliteVersion} (node:sqlite)`);
  out('store', `embedded, fresh file per measurement in ${tmpdir()} (${fsType}), WAL, synchronous=NORMAL`);
  out('data', `bench/generate.ts, seed 0x${DEFAULT_SEED.toString(16)}`);
  if (QUICK) out('mode', `QUICK (BENCH_QUICK=1): every N scaled down ${SCALE}x; a smoke run, NOT the target measurement`);
  else out('mode', 'full size');
  rss('start');

  const synonyms = loadSynonyms();

  // -- 1. Bulk registration ------------------------------------------------------------------------------------
  heading(`1. Bulk registration of ${int(N_BULK)} resources, validation included (target >= ${int(TARGET_RATE)} records/s)`);
  let t = process.hrtime.bigint();
  const inputs = new ResourceGenerator().take(N_BULK);
  const itemCount = inputs.reduce((s, r) => s + r.dataItems.length, 0);
  out('generated', `${int(N_BULK)} records, ${(itemCount / N_BULK).toFixed(1)} data items/record on average (${secs(process.hrtime.bigint() - t).toFixed(2)} s, not timed)`);
  out('path per record', 'screen -> validate -> nextSequence -> buildResource -> write');

  const batch = await withFreshStore(async (store, file) => {
    const r = await registerAll(store, synonyms, inputs, 'batch');
    out(`createMany, batches of ${BATCH}`, `${int(r.rate)} records/s   (${r.seconds.toFixed(2)} s, file ${mb(fileSize(file))})`);
    printStages(r, N_BULK);
    return r;
  });
  rss('batch registration');

  const single = await withFreshStore(async (store) => {
    const r = await registerAll(store, synonyms, inputs, 'single');
    out('peer: create, one transaction each', `${int(r.rate)} records/s   (${r.seconds.toFixed(2)} s)`);
    printStages(r, N_BULK);
    return r;
  });
  rss('single registration');
  out('ratio batch / single', `${(batch.rate / single.rate).toFixed(2)}x  (store writes alone: ${(Number(single.times.write) / Number(batch.times.write)).toFixed(2)}x)`);
  const pass1 = batch.rate >= TARGET_RATE;
  out('result', `${int(batch.rate)} records/s vs >= ${int(TARGET_RATE)}: ${verdict(pass1)}`);

  // -- 2. Read by code ----------------------------------------------------------------------------------------
  heading(`2. Read by code with ${int(N_STORED)} resources stored (target p95 <= ${TARGET_P95_MS} ms)`);
  const read = await withFreshStore(async (store, file) => {
    const gen = new ResourceGenerator();
    const start = process.hrtime.bigint();
    const reg = await registrar(store, synonyms, 'batch', true);
    for (let i = 1; i <= N_STORED; i++) {
      await reg.add(gen.next());
      if (i % PROGRESS_EVERY === 0) {
        if (i === N_STORED) await reg.flush();
        process.stderr.write(`  loading: ${int(i)} / ${int(N_STORED)} (${secs(process.hrtime.bigint() - start).toFixed(1)} s)\n`);
      }
    }
    await reg.flush();
    const loadSeconds = secs(process.hrtime.bigint() - start);
    const stored = await store.resources.count();
    if (stored !== N_STORED) throw new Error(`expected ${N_STORED} stored resources, found ${stored}`);
    out('loaded (same path as 1, createMany)', `${int(N_STORED)} records in ${loadSeconds.toFixed(1)} s (${int(N_STORED / loadSeconds)} records/s)`);
    out('store file', `${mb(fileSize(file))} (db + wal), journal_mode=${journalMode(file)}`);
    rss('load');

    const rnd = mulberry32(DEFAULT_SEED ^ 0x1234567);
    const pickCode = () => reg.codes[Math.floor(rnd() * reg.codes.length)];
    const pickId = () => reg.ids[Math.floor(rnd() * reg.ids.length)];

    // Warm-up: JIT, statement paths, the OS page cache. Not recorded.
    for (let i = 0; i < WARMUP; i++) {
      await store.resources.getBy('code', pickCode());
      await store.resources.get(pickId());
    }

    // The two kinds interleaved, each on its own random key, so drift on the machine hits both alike.
    const byCode = new Float64Array(LOOKUPS);
    const byId = new Float64Array(LOOKUPS);
    for (let i = 0; i < LOOKUPS; i++) {
      const code = pickCode();
      let t0 = process.hrtime.bigint();
      const a = await store.resources.getBy('code', code);
      byCode[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (a?.code !== code) throw new Error(`getBy('code', ${code}) returned ${a?.code}`);

      const id = pickId();
      t0 = process.hrtime.bigint();
      const b = await store.resources.get(id);
      byId[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (b?.id !== id) throw new Error(`get(${id}) returned ${b?.id}`);
    }
    return { code: summarise(byCode), id: summarise(byId) };
  });
  out('lookups', `${int(LOOKUPS)} of each kind, after ${int(WARMUP)} warm-up each, interleaved, random keys`);
  printLatency("getBy('code', code)", read.code);
  printLatency('peer: get(id), primary key', read.id);
  out('ratio getBy(code) / get(id)', `p50 ${(read.code.p50 / read.id.p50).toFixed(2)}x   p95 ${(read.code.p95 / read.id.p95).toFixed(2)}x`);
  rss('lookups');
  const pass2 = read.code.p95 <= TARGET_P95_MS;
  out('result', `p95 ${ms(read.code.p95)} vs <= ${TARGET_P95_MS} ms: ${verdict(pass2)}`);

  // -- Summary ------------------------------------------------------------------------------------------------
  heading(`Summary${QUICK ? ' (QUICK: sizes scaled down 10x, not the target measurement)' : ''}`);
  console.log(`target 1  bulk registration ${int(N_BULK)} incl. validation  ${`${int(batch.rate)} records/s`.padStart(16)}  (>= ${int(TARGET_RATE)}/s)   ${verdict(pass1)}`);
  console.log(`target 2  read by code, ${int(N_STORED)} stored           ${`p95 ${ms(read.code.p95)}`.padStart(16)}  (<= ${TARGET_P95_MS} ms)     ${verdict(pass2)}`);
}

const PARTS = ['catalog', 'search'] as const;
type Part = (typeof PARTS)[number];

function selectedParts(): Set<Part> {
  const asked = [...process.argv.slice(2), ...(process.env.BENCH_PARTS ?? '').split(',')].map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((a) => !(PARTS as readonly string[]).includes(a));
  if (unknown.length) throw new Error(`unknown benchmark part(s) ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  return new Set(asked.length ? (asked as Part[]) : PARTS);
}

const parts = selectedParts();
if (parts.has('catalog')) await main();
if (parts.has('search')) {
  // In a process of its own, so its memory figures (and JIT state) owe nothing to the catalog part; --expose-gc
  // lets it also report memory after a full collection.
  const child = fork(fileURLToPath(new URL('./search.ts', import.meta.url)), [], { stdio: 'inherit', execArgv: [...process.execArgv, '--expose-gc'] });
  await new Promise((done) => child.on('exit', done));
}
