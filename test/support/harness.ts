// Starts the real app on port 0 over an in-memory embedded store, with reference data and accounts for every
// role, and a small HTTP client that keeps cookies like a browser.

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import { type AppDeps, createApp } from '../../server/app.ts';
import { AuditTrail } from '../../server/actions/audit-trail.ts';
import type { SearchServices } from '../../server/actions/define.ts';
import { openEmbeddedSearch } from '../../server/adapters/search/embedded/engine.ts';
import { loadSynonyms, searchServices } from '../../server/compose.ts';
import { type CheckpointStore, memoryCheckpoints } from '../../server/ports/checkpoint.ts';
import type { SearchEngine } from '../../server/ports/search.ts';
import type { SyncOptions } from '../../indexers/sync.ts';
import type { Role } from '../../server/domain/roles.ts';
import { createUser } from '../../server/identity/users.ts';
import { type Logger, silentLogger } from '../../server/log.ts';
import type { Store } from '../../server/ports/store.ts';
import { SEED_ACTOR, ensureReferenceData } from '../../server/seed/bootstrap.ts';
import { TEST_AUDIT_KEY } from './fixtures.ts';

export const PASSWORD = 'correct-horse-battery';

export const USERS: Record<string, { agencyId: string; roles: Role[] }> = {
  gaj: { agencyId: 'ag-gaj', roles: ['data_steward', 'agency_staff'] },
  gsj: { agencyId: 'ag-gsj', roles: ['data_steward', 'agency_staff'] },
  wsj: { agencyId: 'ag-wsj', roles: ['data_steward', 'agency_staff'] },
  staff: { agencyId: 'ag-mzj', roles: ['agency_staff'] },
  reviewer: { agencyId: 'ag-fzb', roles: ['reviewer'] },
  office: { agencyId: 'ag-xxb', roles: ['info_office'] },
  leader: { agencyId: 'ag-city', roles: ['leadership'] },
  approver: { agencyId: 'ag-city', roles: ['city_approver'] },
  sysadmin: { agencyId: 'ag-xxb', roles: ['sys_admin'] },
  secadmin: { agencyId: 'ag-xxb', roles: ['security_admin'] },
  auditor: { agencyId: 'ag-xxb', roles: ['audit_admin'] },
};

export interface TestApp {
  url: string;
  store: Store;
  /** The audit chain's verifier, verified at start as the server does. */
  trail: AuditTrail;
  /** The embedded search engine (in memory), its sync worker (running) and rebuild/reconcile. */
  search: SearchServices;
  /** Waits until every store change has reached the index. */
  settle(): Promise<void>;
  client(): Client;
  /** A client already signed in as one of USERS. */
  as(user: keyof typeof USERS): Promise<Client>;
  close(): Promise<void>;
}

export interface StartOptions {
  store?: Store;
  wrapStore?: (s: Store) => Store;
  config?: Partial<AppDeps['config']>;
  /** Fault injection around the real embedded engine. */
  wrapEngine?: (e: SearchEngine) => SearchEngine;
  sync?: SyncOptions;
  searchTimeoutMs?: number;
  /** Leave the index unbuilt (F13 tests build it themselves). */
  noIndex?: boolean;
  /** Where the app logs (silent by default). */
  log?: Logger;
  /** Where the audit chain's checkpoint is kept (in memory by default). */
  checkpoints?: CheckpointStore;
}

export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const base = opts.store ?? openEmbeddedStore({ path: ':memory:', auditKey: TEST_AUDIT_KEY });
  await ensureReferenceData(base);
  for (const [username, u] of Object.entries(USERS)) {
    if (!(await base.users.getBy('username', username))) await createUser(base, { username, displayName: `测试 ${username}`, password: PASSWORD, ...u }, SEED_ACTOR);
  }
  const store = opts.wrapStore ? opts.wrapStore(base) : base;
  const synonyms = loadSynonyms();
  const realEngine = openEmbeddedSearch({ path: ':memory:' });
  const engine = opts.wrapEngine ? opts.wrapEngine(realEngine) : realEngine;
  const search = searchServices(base, engine, synonyms, silentLogger, {
    timeoutMs: opts.searchTimeoutMs, sync: { pollMs: 50, baseDelayMs: 20, maxDelayMs: 200, ...opts.sync },
  });
  await realEngine.open();
  if (!opts.noIndex) await search.rebuild();
  search.sync.start();
  const trail = new AuditTrail(base.audit, TEST_AUDIT_KEY, opts.checkpoints ?? memoryCheckpoints());
  await trail.verify('since-checkpoint');
  const app = createApp({
    store, synonyms, now: () => new Date(), log: opts.log ?? silentLogger, search, auditTrail: trail,
    config: { sessionSecret: 'x'.repeat(40), sessionIdleMinutes: 30, sessionAbsoluteHours: 12, trustProxy: 0, secureCookies: false, env: 'test', searchRatePerSecond: 0, anonymousRatePerSecond: 0, ...opts.config },
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions: Record<string, Client> = {};
  return {
    url,
    store: base,
    trail,
    search,
    async settle() {
      await search.sync.drain();
    },
    client: () => new Client(url),
    async as(user) {
      if (!sessions[user]) {
        const c = new Client(url);
        await c.login(user, PASSWORD);
        sessions[user] = c;
      }
      return sessions[user];
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await search.sync.stop();
      await realEngine.close();
      await base.close();
    },
  };
}

export class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async fetch(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(this.base + path, { ...init, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async json<T = any>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await this.fetch(path, { ...init, headers: { accept: 'application/json', ...(init.headers as Record<string, string>) } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  /** Reads the CSRF token from a page's form. */
  async csrf(path = '/login'): Promise<string> {
    const html = await (await this.fetch(path, { headers: { accept: 'text/html' } })).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no csrf token on ${path}`);
    return m[1];
  }

  async form(path: string, fields: Record<string, string>, csrfFrom = path): Promise<Response> {
    const token = await this.csrf(csrfFrom);
    return this.fetch(path, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    });
  }

  async login(username: string, password: string): Promise<Response> {
    const res = await this.form('/login', { username, password, next: '/resources' });
    if (res.status !== 303 || res.headers.get('location')?.includes('failed')) throw new Error(`login failed for ${username}: ${res.status}`);
    return res;
  }
}
