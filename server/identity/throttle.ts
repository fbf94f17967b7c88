// Sign-in limits (B15): per account and per client address, kept in the store so they hold across restarts and
// app instances. If the store cannot answer, sign-in fails with it (F18): there is no in-memory fallback that a
// restart or a second instance would reset.

import { ConflictError, RateLimitedError } from '../domain/errors.ts';
import type { Throttle } from '../domain/entities.ts';
import type { Store } from '../ports/store.ts';

export interface ThrottleRule {
  /** Failures inside `windowMs` that lock the key for `lockMs`. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const LOGIN_LIMITS: { account: ThrottleRule; address: ThrottleRule } = {
  account: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
};

const SYSTEM = { userId: 'system:throttle', username: 'throttle' };

export class LoginThrottle {
  constructor(private readonly store: Store, private readonly limits = LOGIN_LIMITS, private readonly now = () => Date.now()) {}

  private keys(username: string, address: string): [string, ThrottleRule][] {
    return [[`acct:${username.trim().toLowerCase().slice(0, 64)}`, this.limits.account], [`addr:${address.slice(0, 64)}`, this.limits.address]];
  }

  /** Throws RateLimitedError while the account or the address is locked; checked before the password is. */
  async check(username: string, address: string): Promise<void> {
    const now = this.now();
    for (const [key] of this.keys(username, address)) {
      const t = await this.store.throttles.get(key);
      if (t?.lockedUntil && t.lockedUntil > now) {
        throw new RateLimitedError(Math.ceil((t.lockedUntil - now) / 1000), '登录失败次数过多,请稍后再试', 'too many failed sign-ins; try again later');
      }
    }
  }

  async failed(username: string, address: string): Promise<void> {
    for (const [key, rule] of this.keys(username, address)) await this.update(key, (t) => {
      const now = this.now();
      const failures = [...t.failures.filter((f) => f > now - rule.windowMs), now].slice(-rule.maxFailures);
      return { ...t, failures, ...(failures.length >= rule.maxFailures ? { lockedUntil: now + rule.lockMs, failures: [] } : {}) };
    });
  }

  /** A successful sign-in clears the account's failures (not the address's: one good password must not reset a spray). */
  async succeeded(username: string): Promise<void> {
    const [[key]] = this.keys(username, '');
    const t = await this.store.throttles.get(key);
    if (t && (t.failures.length || t.lockedUntil)) await this.update(key, (x) => ({ ...x, failures: [], lockedUntil: undefined }));
  }

  /** Read-modify-write with compare-and-set; concurrent failures retry instead of overwriting each other. */
  private async update(key: string, change: (t: Throttle) => Throttle): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.store.throttles.get(key);
      try {
        if (!cur) await this.store.throttles.create(change({ id: key, version: 1, failures: [] }), SYSTEM);
        else await this.store.throttles.update(key, JSON.parse(JSON.stringify(change(cur))) as Throttle, cur.version, SYSTEM);
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError('登录请求过于频繁', 'sign-in contention; try again');
  }
}

/**
 * Search and suggestions per client (user or address): a token bucket in this process. Unlike sign-in limits
 * this guards capacity, not secrets, so per-process state is acceptable; behind several instances the effective
 * limit is per instance.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perSecond: number, private readonly burst: number, private readonly now = () => Date.now()) {}

  /** Takes one token for `key`, or returns the seconds to wait. */
  take(key: string): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (this.buckets.size > 50_000) this.buckets.clear();
    this.buckets.set(key, b);
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) / this.perSecond);
    b.tokens -= 1;
    return 0;
  }
}
