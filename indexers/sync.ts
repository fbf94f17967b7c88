// Incremental sync (architecture.md rule 2). A store write bumps the record's version and its change sequence in
// the same single-document write: a record is "marked for indexing" while its sequence is past the cursor the
// index holds. The worker pushes marked records with their version as the external version (stale writes lose),
// and moves the cursor only after the index acknowledged every item of the batch, so a crash before or after the
// acknowledgement just replays the batch, which the versions make harmless (F5, F6).
//
// Retries: when the engine is down (it throws UnavailableError) the whole batch waits with backoff, however long,
// and drains when the engine returns (F1). Items the engine answers "retry" (429, 5xx) are retried with backoff
// up to `maxAttempts`; items it refuses for good ("failed"), or that exhaust their attempts, go to the dead-letter
// list in the store, visible to administrators (F3). Nothing is dropped silently.

import type { Resource } from '../server/domain/resource.ts';
import type { SearchDocument } from '../server/domain/search.ts';
import type { Logger } from '../server/log.ts';
import type { ItemOutcome, SearchEngine } from '../server/ports/search.ts';
import type { Store } from '../server/ports/store.ts';
import { loadRefs, toDocument } from './resources.ts';

export interface SyncOptions {
  batchSize?: number;
  /** How often the worker looks for changes when nobody kicks it. */
  pollMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts for an item the engine keeps answering "retry" before it is dead-lettered. */
  maxAttempts?: number;
  log?: Logger;
  now?: () => Date;
}

const SYSTEM = { userId: 'system:indexer', username: 'indexer' };

export interface SyncState {
  running: boolean;
  /** The last error that stopped a batch (engine down, …), cleared by the next successful batch. */
  lastError?: string;
  retrying: boolean;
  lastSyncAt?: string;
}

export class IndexSync {
  private readonly opts: Required<Omit<SyncOptions, 'log'>> & { log?: Logger };
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private running = false;
  private current?: Promise<unknown>;
  private paused = 0;
  private failures = 0;
  private readonly st: SyncState = { running: false, retrying: false };

  constructor(private readonly store: Store, private readonly engine: SearchEngine, opts: SyncOptions = {}) {
    this.opts = {
      batchSize: 500, pollMs: 500, baseDelayMs: 100, maxDelayMs: 30_000, maxAttempts: 6, now: () => new Date(), ...opts,
    };
  }

  state(): SyncState {
    return { ...this.st, running: this.running };
  }

  /** Starts the background loop. Writes call `kick()` so a change is searchable well within a second. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.current?.catch(() => {});
  }

  /** Holds the worker between batches (the rebuild's catch-up and alias swap); resolves once no batch runs. */
  async pause(): Promise<void> {
    this.paused++;
    await this.current?.catch(() => {});
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
    this.kick();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let delay = this.opts.pollMs;
      if (!this.paused) {
        try {
          const p = this.runOnce();
          this.current = p;
          const n = await p;
          this.failures = 0;
          this.st.retrying = false;
          this.st.lastError = undefined;
          if (n > 0) delay = 0;
        } catch (e) {
          this.failures++;
          this.st.retrying = true;
          this.st.lastError = e instanceof Error ? e.message : String(e);
          delay = this.backoff(this.failures);
          if (this.failures === 1 || this.failures % 10 === 0) this.opts.log?.warn('search index sync waiting', { error: this.st.lastError, retryInMs: delay });
        } finally {
          this.current = undefined;
        }
      }
      if (!this.running) break;
      if (delay > 0) await this.sleep(delay);
    }
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(attempt - 1, 20));
    // Jitter keeps several app instances from retrying in lockstep.
    return Math.round(d / 2 + Math.random() * (d / 2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Processes every pending change now (tests, the reindex command); throws if the engine stays down. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  /** How many changes wait to be indexed (up to `cap`). */
  async backlog(cap = 10_000): Promise<number> {
    const { cursor } = await this.engine.getCursor();
    let n = 0;
    for (let c = cursor; n < cap;) {
      const page = await this.store.resources.changedSince(c, Math.min(1000, cap - n));
      if (!page.items.length) break;
      n += page.items.length;
      c = page.cursor;
    }
    return n;
  }

  /** One batch: read changes past the index's cursor, write them, then move the cursor. Returns how many. */
  async runOnce(): Promise<number> {
    const { index, cursor } = await this.engine.getCursor();
    const page = await this.store.resources.changedSince(cursor, this.opts.batchSize);
    if (!page.items.length) return 0;
    const refs = await loadRefs(this.store);
    const docs = new Map<string, SearchDocument>();
    const removes = new Map<string, { id: string; version: number }>();
    for (const r of page.items) {
      if (r.deleted) removes.set(r.id, { id: r.id, version: r.version });
      else docs.set(r.id, toDocument(r as Resource, refs));
    }
    for (let attempt = 1; docs.size || removes.size; attempt++) {
      const outcomes: ItemOutcome[] = [
        ...(docs.size ? await this.engine.upsert([...docs.values()]) : []),
        ...(removes.size ? await this.engine.remove([...removes.values()]) : []),
      ];
      for (const o of outcomes) {
        const isRemove = removes.has(o.id) && !docs.has(o.id);
        if (o.status === 'ok' || o.status === 'stale') {
          docs.delete(o.id);
          removes.delete(o.id);
        } else if (o.status === 'failed' || attempt >= this.opts.maxAttempts) {
          const version = (docs.get(o.id) ?? removes.get(o.id))?.version ?? 0;
          await this.deadLetter(o.id, version, isRemove ? 'remove' : 'upsert', o.status === 'failed' ? o.reason : `retries exhausted: ${(o as { reason: string }).reason}`, attempt);
          docs.delete(o.id);
          removes.delete(o.id);
        }
      }
      if (docs.size || removes.size) await new Promise((r) => setTimeout(r, this.backoff(attempt)));
    }
    await this.engine.setCursor(index, page.cursor!);
    this.st.lastSyncAt = this.opts.now().toISOString();
    return page.items.length;
  }

  private async deadLetter(resourceId: string, resourceVersion: number, operation: 'upsert' | 'remove', reason: string, attempts: number): Promise<void> {
    this.opts.log?.error('search index refused a change; dead-lettered', { resourceId, resourceVersion, operation, reason: reason.slice(0, 200) });
    await this.store.deadLetters.create({
      id: `dl-${resourceId}-${resourceVersion}-${Date.now().toString(36)}`, version: 1, resourceId, resourceVersion, operation,
      reason: reason.slice(0, 500), attempts, status: 'open', createdAt: this.opts.now().toISOString(),
    }, SYSTEM);
  }
}
