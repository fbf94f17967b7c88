// The discovery index. Every engine implements the same model (domain/search) and passes the same contract suite
// (test/contract/search.*). The store is the truth; an index is a cache that can always be rebuilt from it.
//
// Versioning: every document carries its record's version. A write with a version lower than (or equal to) the
// one the index holds is ignored, and deletes leave a versioned tombstone, so replayed, reordered or late writes
// can never resurrect a deleted entry or bring back an old one (F4, F7, F8).

import type { EngineResult, SearchDocument, SearchQuery } from '../domain/search.ts';

/** What the index said about one document of a bulk write. */
export type ItemOutcome =
  | { id: string; status: 'ok' | 'stale' }
  /** Worth retrying later: the engine was overloaded or unavailable (429, 5xx, timeouts). */
  | { id: string; status: 'retry'; reason: string }
  /** Retrying cannot help (a mapping error, a rejected document): goes to the dead-letter list. */
  | { id: string; status: 'failed'; reason: string };

export type IndexState =
  /** Serving queries. */
  | 'ready'
  /** No index exists yet: it has to be built from the store (F13); searching says so instead of answering empty. */
  | 'missing'
  /** Opening: loading a persisted index into memory. */
  | 'loading'
  /** The engine cannot be reached. */
  | 'unavailable';

export interface IndexStatus {
  state: IndexState;
  /** The mapping version (mappings/) of the index behind the alias, and its physical name. */
  mappingVersion?: number;
  indexName?: string;
  /** Live documents (tombstones not counted). */
  docCount?: number;
  rebuilding: boolean;
}

export interface RebuildReport {
  indexName: string;
  mappingVersion: number;
  loaded: number;
  /** The physical index the alias pointed at before, removed after the swap. */
  previous?: string;
  ms: number;
}

export interface RebuildOptions {
  onProgress?: (loaded: number) => void;
  /** An empty load is refused (it would swap in an empty index) unless the store itself is empty. */
  allowEmpty?: boolean;
  /** The store change cursor the source was read from: stored with the new index as its sync cursor. */
  cursor?: string;
  /**
   * Runs after the bulk load and count check, before the alias moves: the caller writes the changes made during
   * the rebuild into the new index (the catch-up pass) through the writer it is given, and returns the cursor it
   * reached, which replaces `cursor`.
   */
  beforeSwap?: (writer: IndexWriter) => Promise<string | undefined>;
}

export interface IndexWriter {
  upsert(docs: SearchDocument[]): Promise<ItemOutcome[]>;
  remove(refs: { id: string; version: number }[]): Promise<ItemOutcome[]>;
}

export interface SearchEngine extends IndexWriter {
  readonly kind: 'embedded' | 'elasticsearch';
  /** Connects and finds the index behind the alias; never creates one (that is `rebuild`'s job). */
  open(): Promise<IndexStatus>;
  status(): Promise<IndexStatus>;
  /** Throws UnavailableError when the index is missing, loading or unreachable: never a plausible empty answer. */
  query(q: SearchQuery): Promise<EngineResult>;
  /**
   * Builds a new physical index for the current mapping version from `source`, refreshes it, checks the count,
   * lets the caller catch up, then moves the alias in one step and removes the old index. Search keeps answering
   * from the old index throughout. A failed, short or empty load never moves the alias and leaves no orphan index.
   */
  rebuild(source: AsyncIterable<SearchDocument>, opts?: RebuildOptions): Promise<RebuildReport>;
  /** Every live document in the index, for reconciliation against the store. */
  scan(): AsyncIterable<SearchDocument>;
  /**
   * Where incremental sync got to in the index behind the alias (a store change cursor), stored with that physical
   * index. `setCursor` names the index the cursor was read from: if a rebuild swapped the alias meanwhile, the
   * cursor goes to the old index (or nowhere) and the new index keeps its own, so the new index never skips
   * changes that went only to the old one.
   */
  getCursor(): Promise<{ index: string; cursor?: string }>;
  setCursor(index: string, cursor: string): Promise<void>;
  /**
   * Overwrites documents whatever version the index holds, and removes ids outright: reconciliation only, where the
   * store has just been read and the index is known to be wrong.
   */
  repair(docs: SearchDocument[], removeIds: string[]): Promise<void>;
  close(): Promise<void>;
}
