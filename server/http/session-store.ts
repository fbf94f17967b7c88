// express-session on the active store of record (never MemoryStore). If the store cannot answer, the session
// lookup fails and so does the request: login fails closed (F18).

import session from 'express-session';
import type { SessionStorePort } from '../ports/store.ts';

export class PortSessionStore extends session.Store {
  constructor(private readonly port: SessionStorePort, private readonly ttlMs: number) {
    super();
  }

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    this.port.get(sid).then((r) => cb(null, r ? (JSON.parse(r.data) as session.SessionData) : null), cb);
  }

  override set(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    const expiresAt = s.cookie?.expires ? new Date(s.cookie.expires).getTime() : Date.now() + this.ttlMs;
    this.port.set(sid, { data: JSON.stringify(s), expiresAt }).then(() => cb?.(), (e) => cb?.(e));
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.port.destroy(sid).then(() => cb?.(), (e) => cb?.(e));
  }

  /**
   * Rolling sessions push their expiry forward after every response. That is best effort: when the store cannot
   * write (F9), the answer already went out, and the session simply keeps its old expiry.
   */
  override touch(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    this.set(sid, s, () => cb?.());
  }
}
