// Fault injection around a real engine: the engine behind it does the work; this only makes it fail, stall or
// answer per item the way an overloaded or broken cluster does (F1-F6).

import { UnavailableError } from '../../server/domain/errors.ts';
import type { EngineResult, SearchDocument, SearchQuery } from '../../server/domain/search.ts';
import type { IndexStatus, ItemOutcome, RebuildOptions, RebuildReport, SearchEngine } from '../../server/ports/search.ts';

export class FaultyEngine implements SearchEngine {
  readonly kind: SearchEngine['kind'];
  /** Every call fails as if the cluster were unreachable. */
  down = false;
  /** Queries take this long. */
  slowMs = 0;
  /** Per-item answers to impose on writes; an item not listed goes through. Each entry is used up once. */
  plan = new Map<string, ('retry' | 'failed')[]>();
  /** Throws once on the next setCursor, after the writes were acknowledged (a crash after the ack, F6). */
  failNextCursor = false;
  writes = 0;

  constructor(readonly inner: SearchEngine) {
    this.kind = inner.kind;
  }

  private gate(): void {
    if (this.down) throw new UnavailableError('injected: index down');
  }

  open(): Promise<IndexStatus> {
    this.gate();
    return this.inner.open();
  }
  async status(): Promise<IndexStatus> {
    if (this.down) return { state: 'unavailable', rebuilding: false };
    return this.inner.status();
  }
  async query(q: SearchQuery): Promise<EngineResult> {
    this.gate();
    if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    return this.inner.query(q);
  }
  private async planned<T extends { id: string }>(items: T[], write: (items: T[]) => Promise<ItemOutcome[]>): Promise<ItemOutcome[]> {
    this.gate();
    this.writes++;
    const imposed = new Map<string, ItemOutcome>();
    for (const it of items) {
      const next = this.plan.get(it.id)?.shift();
      if (next) imposed.set(it.id, { id: it.id, status: next, reason: next === 'retry' ? 'injected 429 es_rejected_execution_exception' : 'injected 400 mapper_parsing_exception' });
    }
    const through = items.filter((it) => !imposed.has(it.id));
    const outcomes = through.length ? await write(through) : [];
    return items.map((it) => imposed.get(it.id) ?? outcomes.find((o) => o.id === it.id)!);
  }
  upsert(docs: SearchDocument[]): Promise<ItemOutcome[]> {
    return this.planned(docs, (d) => this.inner.upsert(d));
  }
  remove(refs: { id: string; version: number }[]): Promise<ItemOutcome[]> {
    return this.planned(refs, (r) => this.inner.remove(r));
  }
  rebuild(source: AsyncIterable<SearchDocument>, opts?: RebuildOptions): Promise<RebuildReport> {
    this.gate();
    return this.inner.rebuild(source, opts);
  }
  scan(): AsyncIterable<SearchDocument> {
    this.gate();
    return this.inner.scan();
  }
  async getCursor(): Promise<{ index: string; cursor?: string }> {
    this.gate();
    return this.inner.getCursor();
  }
  async setCursor(index: string, cursor: string): Promise<void> {
    this.gate();
    if (this.failNextCursor) {
      this.failNextCursor = false;
      throw new Error('injected: indexer killed after the index acknowledged');
    }
    return this.inner.setCursor(index, cursor);
  }
  repair(docs: SearchDocument[], removeIds: string[]): Promise<void> {
    this.gate();
    return this.inner.repair(docs, removeIds);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
