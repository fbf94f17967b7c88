// The Elasticsearch search engine: the SearchEngine port over @elastic/elasticsearch (architecture.md, production).
//
// The application only ever reads and writes through the alias (RESOURCE_INDEX.alias); physical indices carry the
// mapping version and a build stamp. Every write is a bulk `index` with `require_alias`, so a write can never
// auto-create an index with a guessed mapping (F13): with the alias gone, writes fail and the indexer retries
// after the rebuild. Deletes are versioned tombstone documents, not delete operations: Elasticsearch forgets a
// deleted document's version after index.gc_deletes (60 s), after which a late stale write would resurrect it;
// a tombstone document keeps the version for good (F8).
//
// A rebuild loads a new physical index (reached through a private load alias, so require_alias holds there
// too: an index deleted mid-rebuild fails the load instead of being re-created by it), refreshes, checks the
// count, lets the caller catch up, stores the sync cursor, then moves the alias in one updateAliases call and
// deletes the old index. Any failure before the swap deletes the new index; the alias never moves (F12).
//
// Errors users see are UnavailableError with the domain's texts; messages name the operation, never an index,
// an alias or a query (B20).

import { Client, errors, type estypes } from '@elastic/elasticsearch';
import { RESOURCE_INDEX, elasticsearchIndexBody, parsePhysicalName, physicalIndexName } from '../../../../mappings/resources.ts';
import { ConflictError, UnavailableError } from '../../../domain/errors.ts';
import {
  type EngineResult, INDEX_REBUILDING, SEARCH_DOWN, SEARCH_TIMEOUT, type SearchDocument, type SearchQuery,
} from '../../../domain/search.ts';
import type {
  IndexStatus, IndexWriter, ItemOutcome, RebuildOptions, RebuildReport, SearchEngine,
} from '../../../ports/search.ts';
import {
  NOT_DELETED, type SearchResponseLike, type StoredDoc, type Tombstone, type VersionType, bulkItems, indexOperations,
  isIndexMissing, itemOutcome, searchBody, searchResult, toSearchDocument, tombstone,
} from './translate.ts';

export interface ElasticsearchSearchOptions {
  /** ELASTICSEARCH_URL; ignored when `client` is given. */
  node?: string;
  /** A ready client (tests pass one built on @elastic/elasticsearch-mock's connection). */
  client?: Client;
  /** The read/write alias; RESOURCE_INDEX.alias unless a test needs its own namespace. */
  alias?: string;
  /** mappings/synonyms.txt, inlined into the index settings. */
  synonymsText: string;
  now?: () => Date;
  /** Budget for a search or a status check (F2: a slow cluster answers 503 within it). 3000 ms by default. */
  requestTimeoutMs?: number;
  /** Documents per bulk request during a rebuild. */
  batchSize?: number;
  /** Waits before re-sending the items a rebuild bulk was asked to retry (429, 5xx); one retry per entry. */
  retryDelaysMs?: readonly number[];
  /**
   * Makes each write searchable before it returns ('wait_for'). For tests and tools that write and then read at
   * once (the contract suite); production leaves visibility to the refresh interval, which keeps bulk writes cheap.
   */
  refresh?: 'wait_for' | true;
}

const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_BATCH = 500;
const DEFAULT_RETRY_DELAYS = [500, 2000];
const SCAN_PAGE = 1000;
const PIT_KEEP_ALIVE = '2m';

type CallOptions = { requestTimeout?: number; maxRetries: number };

type Failure = 'timeout' | 'down' | 'missing' | 'rejected';

function errorType(e: errors.ResponseError): string | undefined {
  const body = e.body as { error?: { type?: string } | string } | undefined;
  return typeof body?.error === 'object' ? body.error.type : undefined;
}

/** What a client error means for the caller; undefined for anything that is not the cluster's answer (a bug). */
function failureOf(e: unknown): Failure | undefined {
  if (e instanceof errors.TimeoutError) return 'timeout';
  if (e instanceof errors.ResponseError) {
    const status = e.statusCode ?? 0;
    if (status === 404 && errorType(e) === 'index_not_found_exception') return 'missing';
    if (status === 429 || status >= 500 || status === 0) return 'down';
    return 'rejected';
  }
  if (e instanceof errors.ElasticsearchClientError && !(e instanceof errors.ConfigurationError)) return 'down';
  return undefined;
}

function isNotFound(e: unknown): boolean {
  return e instanceof errors.ResponseError && e.statusCode === 404;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function validDoc(d: { id?: unknown; version?: unknown } | undefined): boolean {
  return !!d && typeof d.id === 'string' && d.id.length > 0 && Number.isInteger(d.version) && (d.version as number) >= 1;
}

export class ElasticsearchEngine implements SearchEngine {
  readonly kind = 'elasticsearch' as const;
  readonly alias: string;
  /** Sync cursors, one document per physical index (id = its name): the cursor goes with the index it describes. */
  readonly stateIndex: string;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly synonymsText: string;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly retryDelays: readonly number[];
  private readonly refresh?: 'wait_for' | true;
  private rebuilding = false;
  private closed = false;
  private stateReady = false;

  constructor(opts: ElasticsearchSearchOptions) {
    if (!opts.client && !opts.node) throw new Error('the Elasticsearch engine needs a node URL or a client');
    this.client = opts.client ?? new Client({ node: opts.node! });
    this.ownsClient = !opts.client;
    this.alias = opts.alias ?? RESOURCE_INDEX.alias;
    this.stateIndex = `${this.alias}-state`;
    this.synonymsText = opts.synonymsText;
    this.now = opts.now ?? (() => new Date());
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
    this.retryDelays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    this.refresh = opts.refresh;
  }

  /** Interactive calls: one attempt within the budget; the client's own retries would multiply the wait (F2). */
  private get fast() {
    return { requestTimeout: this.timeoutMs, maxRetries: 0 };
  }

  /**
   * Everything else: one retry for a connection blip (a keep-alive socket closed under us), not the client's
   * default of several with growing backoff: the indexer and the rebuild's caller have their own retry policies.
   */
  private get background() {
    return { maxRetries: 1 };
  }

  /** The domain error for a failed call; `onTimeout` lets a search say "too slow" rather than "down". */
  private failure(e: unknown, op: string, onTimeout: typeof SEARCH_DOWN = SEARCH_DOWN): unknown {
    const kind = failureOf(e);
    if (kind === undefined) return e;
    const type = e instanceof errors.ResponseError ? errorType(e) : undefined;
    const message = `elasticsearch ${op} failed: ${kind}${type ? ` (${type})` : ''}`;
    const texts = kind === 'missing' ? INDEX_REBUILDING : kind === 'timeout' ? onTimeout : SEARCH_DOWN;
    return new UnavailableError(message, { cause: e, ...texts });
  }

  /** Rebuild steps keep a refusal (4xx: a missing plugin, a bad mapping) as a plain error for the operator. */
  private rebuildFailure(e: unknown, op: string): unknown {
    if (failureOf(e) === 'rejected') {
      const err = e as errors.ResponseError;
      return new Error(`elasticsearch refused to ${op}: ${errorType(err) ?? `status ${err.statusCode}`}`, { cause: e });
    }
    return this.failure(e, op);
  }

  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('elasticsearch search engine is closed', SEARCH_DOWN);
  }

  /** This engine's physical index names: physicalIndexName's, under this engine's alias. */
  private physicalName(at: Date): string {
    return this.alias + physicalIndexName(RESOURCE_INDEX.version, at).slice(RESOURCE_INDEX.alias.length);
  }

  private mappingVersionOf(name: string): number | undefined {
    if (!name.startsWith(`${this.alias}-`)) return undefined;
    return parsePhysicalName(RESOURCE_INDEX.alias + name.slice(this.alias.length))?.version;
  }

  /** The physical indices behind the alias ([] when there is no alias). */
  private async aliasIndices(opts: CallOptions = this.background): Promise<{ name: string; write: boolean }[]> {
    let res: estypes.IndicesGetAliasResponse;
    try {
      res = await this.client.indices.getAlias({ name: this.alias }, opts);
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    return Object.entries(res).map(([name, v]) => ({ name, write: v.aliases?.[this.alias]?.is_write_index === true }));
  }

  /** The index the alias serves from: its write index, or the newest when none is marked. */
  private async currentIndex(opts: CallOptions = this.background): Promise<string | undefined> {
    const all = await this.aliasIndices(opts);
    return (all.find((i) => i.write) ?? all.sort((a, b) => (a.name < b.name ? -1 : 1)).at(-1))?.name;
  }

  private async liveCount(index: string, opts: CallOptions = this.background): Promise<number> {
    const res = await this.client.count({ index, query: { bool: { must_not: [NOT_DELETED] } } }, opts);
    return res.count;
  }

  async open(): Promise<IndexStatus> {
    return this.status();
  }

  async status(): Promise<IndexStatus> {
    const rebuilding = this.rebuilding;
    if (this.closed) return { state: 'unavailable', rebuilding };
    try {
      const name = await this.currentIndex(this.fast);
      if (!name) return { state: 'missing', rebuilding };
      const docCount = await this.liveCount(name, this.fast);
      return { state: 'ready', indexName: name, mappingVersion: this.mappingVersionOf(name), docCount, rebuilding };
    } catch (e) {
      const kind = failureOf(e);
      if (kind === 'missing') return { state: 'missing', rebuilding };
      if (kind) return { state: 'unavailable', rebuilding };
      throw e;
    }
  }

  async query(q: SearchQuery): Promise<EngineResult> {
    this.ensureOpen();
    const body = searchBody(q);
    let res: estypes.SearchResponse<StoredDoc>;
    try {
      res = await this.client.search<StoredDoc>({ index: this.alias, ...body, allow_partial_search_results: false }, this.fast);
    } catch (e) {
      throw this.failure(e, 'search', SEARCH_TIMEOUT);
    }
    // A partial answer would look like a complete one: refuse it (never a plausible wrong result).
    if (res.timed_out) throw new UnavailableError('elasticsearch search failed: timeout (partial results)', SEARCH_TIMEOUT);
    return searchResult(res as unknown as SearchResponseLike, q.facets);
  }

  async upsert(docs: SearchDocument[]): Promise<ItemOutcome[]> {
    this.ensureOpen();
    return this.writeDocs(this.alias, docs, 'external');
  }

  async remove(refs: { id: string; version: number }[]): Promise<ItemOutcome[]> {
    this.ensureOpen();
    return this.writeDocs(this.alias, refs.map((r) => tombstone(r?.id, r?.version)), 'external');
  }

  /**
   * One bulk request of versioned `index` actions through `target` (an alias: require_alias), outcomes in input
   * order. Documents without a usable id/version are refused here rather than sent.
   */
  private async writeDocs(target: string, docs: readonly (SearchDocument | Tombstone)[], versionType: VersionType,
    versionOf?: (d: SearchDocument | Tombstone) => number): Promise<ItemOutcome[]> {
    const out: ItemOutcome[] = new Array(docs.length);
    const send: number[] = [];
    docs.forEach((d, i) => {
      if (validDoc(d)) send.push(i);
      else out[i] = { id: String(d?.id), status: 'failed', reason: 'document without a valid id and version' };
    });
    if (!send.length) return out;
    let res: estypes.BulkResponse;
    try {
      res = await this.client.bulk({
        operations: indexOperations(target, send.map((i) => docs[i]), versionType, versionOf),
        require_alias: true,
        ...(this.refresh ? { refresh: this.refresh } : {}),
      }, this.background);
    } catch (e) {
      throw this.failure(e, 'bulk write');
    }
    const items = bulkItems(res.items ?? []);
    // With require_alias, a missing alias fails every item: the index is being (re)built, not the documents bad.
    if (items.some((it) => it && isIndexMissing(it))) {
      throw new UnavailableError('elasticsearch bulk write failed: missing (write alias)', INDEX_REBUILDING);
    }
    send.forEach((i, k) => {
      out[i] = itemOutcome(docs[i].id, items[k]);
    });
    return out;
  }

  /**
   * Loads one rebuild batch: permanent refusals fail the rebuild at once; items Elasticsearch asked to retry are
   * re-sent after the configured waits and fail the rebuild if they are still refused. Adds the ids that landed.
   */
  private async loadBatch(target: string, docs: SearchDocument[], landed: Set<string>): Promise<void> {
    let pending = docs;
    for (let attempt = 0; ; attempt++) {
      const outcomes = await this.writeDocs(target, pending, 'external');
      const failed = outcomes.find((o) => o.status === 'failed');
      if (failed) throw new Error(`rebuild: document ${failed.id} was refused: ${(failed as { reason: string }).reason}`);
      // A re-sent item reported stale was in fact written by the attempt whose answer said "retry".
      for (const o of outcomes) if (o.status === 'ok' || (attempt > 0 && o.status === 'stale')) landed.add(o.id);
      const again = pending.filter((_, i) => outcomes[i].status === 'retry');
      if (!again.length) return;
      if (attempt >= this.retryDelays.length) {
        const first = outcomes.find((o) => o.status === 'retry') as { reason: string };
        throw new Error(`rebuild: ${again.length} documents still refused after ${attempt + 1} attempts (${first.reason})`);
      }
      await sleep(this.retryDelays[attempt]);
      pending = again;
    }
  }

  async rebuild(source: AsyncIterable<SearchDocument>, opts: RebuildOptions & { allowEmpty?: boolean } = {}): Promise<RebuildReport> {
    this.ensureOpen();
    if (this.rebuilding) throw new ConflictError('索引正在重建', 'a rebuild is already running');
    this.rebuilding = true;
    const started = Date.now();
    const name = this.physicalName(this.now());
    const loadAlias = `${name}-load`;
    let mayExist = false;
    let swapTried = false;
    try {
      const { settings, mappings } = elasticsearchIndexBody(this.synonymsText);
      mayExist = true;
      try {
        await this.client.indices.create({
          index: name,
          settings: settings as unknown as estypes.IndicesIndexSettings,
          mappings: mappings as unknown as estypes.MappingTypeMapping,
          aliases: { [loadAlias]: {} },
        }, this.background);
      } catch (e) {
        // Someone else's index of that name is not ours to delete.
        if (e instanceof errors.ResponseError && errorType(e) === 'resource_already_exists_exception') mayExist = false;
        throw this.rebuildFailure(e, 'create the new index');
      }

      // Distinct ids: the store's change feed yields a record changed mid-read again (a newer version), which
      // replaces the first copy rather than adding a document.
      const landed = new Set<string>();
      let batch: SearchDocument[] = [];
      const flush = async () => {
        await this.loadBatch(loadAlias, batch, landed);
        batch = [];
        opts.onProgress?.(landed.size);
      };
      for await (const doc of source) {
        this.ensureOpen();
        batch.push(doc);
        if (batch.length >= this.batchSize) await flush();
      }
      if (batch.length) await flush();

      await this.step('refresh the new index', () => this.client.indices.refresh({ index: name }, this.background));
      const loaded = landed.size;
      const stored = await this.step('count the new index', () => this.liveCount(name));
      if (stored !== loaded) throw new Error(`rebuild: count check failed: loaded ${loaded}, the new index holds ${stored}`);
      if (loaded === 0 && !opts.allowEmpty) throw new Error('the rebuild produced no documents; the alias was not moved');

      let cursor = opts.cursor;
      if (opts.beforeSwap) {
        const writer: IndexWriter = {
          upsert: async (docs) => this.writeDocs(loadAlias, docs, 'external'),
          remove: async (refs) => this.writeDocs(loadAlias, refs.map((r) => tombstone(r.id, r.version)), 'external'),
        };
        cursor = (await opts.beforeSwap(writer)) ?? cursor;
        // The catch-up writes are searchable the moment the alias moves, not a refresh interval later.
        await this.step('refresh the new index', () => this.client.indices.refresh({ index: name }, this.background));
      }
      if (cursor !== undefined) await this.step('store the sync cursor', () => this.writeCursor(name, cursor));

      this.ensureOpen();
      const previous = (await this.step('read the alias', () => this.aliasIndices())).map((i) => i.name).filter((n) => n !== name);
      const actions: estypes.IndicesUpdateAliasesAction[] = [
        ...previous.map((index) => ({ remove: { index, alias: this.alias } })),
        { add: { index: name, alias: this.alias, is_write_index: true } },
        { remove: { index: name, alias: loadAlias } },
      ];
      swapTried = true;
      try {
        await this.client.indices.updateAliases({ actions }, this.background);
      } catch (e) {
        // The answer can be lost after the cluster applied the change (a timeout): only a confirmed miss is a failure.
        const now = await this.aliasIndices().catch(() => undefined);
        if (!now?.some((i) => i.name === name)) throw this.rebuildFailure(e, 'move the alias');
      }

      for (const old of previous) await this.dropIndex(old);
      return {
        indexName: name, mappingVersion: RESOURCE_INDEX.version, loaded, ...(previous.length ? { previous: previous[0] } : {}),
        ms: Date.now() - started,
      };
    } catch (e) {
      if (mayExist) await this.discard(name, swapTried);
      throw e;
    } finally {
      this.rebuilding = false;
    }
  }

  private async step<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.rebuildFailure(e, op);
    }
  }

  /** Removes a failed rebuild's index, unless the alias may already serve it (then leaving it is the safe side). */
  private async discard(name: string, swapTried: boolean): Promise<void> {
    if (swapTried) {
      let serving: { name: string }[];
      try {
        serving = await this.aliasIndices();
      } catch {
        return;
      }
      if (serving.some((i) => i.name === name)) return;
    }
    await this.dropIndex(name);
  }

  /** Best effort: a leftover index costs disk, not correctness; its cursor document goes with it. */
  private async dropIndex(name: string): Promise<void> {
    try {
      await this.client.indices.delete({ index: name }, { ...this.background, ignore: [404] });
    } catch {
      // Left for the operator; the alias is already where it must be.
    }
    try {
      await this.client.delete({ index: this.stateIndex, id: name }, { ...this.background, ignore: [404] });
    } catch {
      // Likewise.
    }
  }

  /** The state index is tiny bookkeeping, not the search index: creating it on demand is fine (unlike F13's case). */
  private async ensureStateIndex(): Promise<void> {
    if (this.stateReady) return;
    const exists = await this.client.indices.exists({ index: this.stateIndex }, this.background);
    if (!exists) {
      try {
        await this.client.indices.create({
          index: this.stateIndex,
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: { dynamic: 'strict', properties: { cursor: { type: 'keyword', index: false } } },
        }, this.background);
      } catch (e) {
        if (!(e instanceof errors.ResponseError && errorType(e) === 'resource_already_exists_exception')) throw e;
      }
    }
    this.stateReady = true;
  }

  private async writeCursor(index: string, cursor: string): Promise<void> {
    await this.ensureStateIndex();
    await this.client.index({ index: this.stateIndex, id: index, document: { cursor } }, this.background);
  }

  private async readCursor(index: string): Promise<string | undefined> {
    try {
      const res = await this.client.get<{ cursor?: string }>({ index: this.stateIndex, id: index }, this.background);
      return res._source?.cursor ?? undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async serving(): Promise<string> {
    this.ensureOpen();
    const name = await this.currentIndex(this.fast).catch((e) => {
      throw this.failure(e, 'read the alias');
    });
    if (!name) throw new UnavailableError('elasticsearch: index missing', INDEX_REBUILDING);
    return name;
  }

  async getCursor(): Promise<{ index: string; cursor?: string }> {
    const name = await this.serving();
    try {
      const cursor = await this.readCursor(name);
      return { index: name, ...(cursor !== undefined ? { cursor } : {}) };
    } catch (e) {
      throw this.failure(e, 'read the sync cursor');
    }
  }

  async setCursor(index: string, cursor: string): Promise<void> {
    this.ensureOpen();
    try {
      // Written for the index the batch started from, even if the alias has moved on since: the new index keeps
      // the cursor its rebuild left, and replays what only the old index received (versions make that harmless).
      await this.writeCursor(index, cursor);
    } catch (e) {
      throw this.failure(e, 'store the sync cursor');
    }
  }

  /** Live documents through the alias: a point in time keeps the pages consistent while writes continue. */
  async *scan(): AsyncIterable<SearchDocument> {
    this.ensureOpen();
    let pit: string;
    try {
      pit = (await this.client.openPointInTime({ index: this.alias, keep_alive: PIT_KEEP_ALIVE }, this.background)).id;
    } catch (e) {
      throw this.failure(e, 'scan');
    }
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        let res: estypes.SearchResponse<StoredDoc>;
        try {
          res = await this.client.search<StoredDoc>({
            pit: { id: pit, keep_alive: PIT_KEEP_ALIVE },
            query: { bool: { must_not: [NOT_DELETED] } },
            sort: [{ _shard_doc: { order: 'asc' } }],
            size: SCAN_PAGE,
            track_total_hits: false,
            _source: { excludes: ['deleted'] },
            ...(after ? { search_after: after } : {}),
          }, this.background);
        } catch (e) {
          throw this.failure(e, 'scan');
        }
        if (res.pit_id) pit = res.pit_id;
        const hits = res.hits.hits;
        for (const h of hits) if (h._source && h._source.deleted !== true) yield toSearchDocument(h._source);
        if (hits.length < SCAN_PAGE) return;
        after = hits[hits.length - 1].sort;
        if (!after) return;
      }
    } finally {
      await this.client.closePointInTime({ id: pit }, this.background).catch(() => undefined);
    }
  }

  /**
   * Overwrites documents whatever version the index holds. Elasticsearch cannot lower a document's version:
   * external versioning refuses anything below the stored one (external_gte allows equal), internal versioning only
   * ever increments, and a deleted document's version lingers for gc_deletes, so delete-and-recreate at a lower
   * version is refused too. So each write goes in with `external_gte` at max(store version, version in the index):
   * the content and the `version` field in _source are the store's, and reconciliation compares those. Where the
   * index held a version above the store's, later writes below it come back `stale` until the store passes it,
   * and the next reconcile repairs the content again. Removed ids become tombstones one above the index's version.
   */
  async repair(docs: SearchDocument[], removeIds: string[]): Promise<void> {
    this.ensureOpen();
    if (!docs.length && !removeIds.length) return;
    const ids = [...new Set([...docs.map((d) => d.id), ...removeIds])];
    let current: Map<string, number>;
    try {
      const res = await this.client.mget({ index: this.alias, ids, _source: false }, this.background);
      current = new Map();
      for (const d of res.docs) {
        if ('found' in d && d.found && typeof d._version === 'number') current.set(d._id, d._version);
      }
    } catch (e) {
      throw this.failure(e, 'read versions');
    }
    const writes: (SearchDocument | Tombstone)[] = [
      ...docs,
      ...removeIds.map((id) => tombstone(id, (current.get(id) ?? 0) + 1)),
    ];
    const outcomes = await this.writeDocs(this.alias, writes, 'external_gte', (d) => Math.max(d.version, current.get(d.id) ?? 0));
    // stale here means a newer write landed since the versions were read: that one is at least as new as the store.
    const retry = outcomes.filter((o) => o.status === 'retry');
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length) throw new Error(`repair: ${failed.length} documents refused (first: ${failed[0].id}: ${(failed[0] as { reason: string }).reason})`);
    if (retry.length) throw new UnavailableError(`repair: ${retry.length} documents not written (overloaded)`, SEARCH_DOWN);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.close();
  }
}

export function openElasticsearchSearch(opts: ElasticsearchSearchOptions): ElasticsearchEngine {
  return new ElasticsearchEngine(opts);
}
