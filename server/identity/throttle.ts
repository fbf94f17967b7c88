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

/** One sign-in attempt, counted before the password is checked. */
export interface Attempt {
  keys: string[];
  at: number;
}

/**
 * The key of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's prefix), so rotating addresses inside
 * one allocation does not get around the limits.
 */
export function addressKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1];
  if (!ip.includes(':')) return ip.slice(0, 64);
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class LoginThrottle {
  constructor(private readonly store: Store, private readonly limits = LOGIN_LIMITS, private readonly now = () => Date.now()) {}

  private keys(username: string, address: string): [string, ThrottleRule][] {
    return [[`acct:${username.trim().toLowerCase().slice(0, 64)}`, this.limits.account], [`addr:${addressKey(address)}`, this.limits.address]];
  }

  /**
   * Counts an attempt before its password is checked, with compare-and-set, so parallel guesses are counted one by
   * one: once the window holds the limit, further attempts are refused and the key is locked.
   */
  async begin(username: string, address: string): Promise<Attempt> {
    const at = this.now();
    const taken: string[] = [];
    for (const [key, rule] of this.keys(username, address)) {
      const after = await this.update(key, (t) => {
        if (t.lockedUntil && t.lockedUntil > at) throw this.limited(t.lockedUntil - at);
        const failures = t.failures.filter((f) => f > at - rule.windowMs);
        if (failures.length >= rule.maxFailures) return { ...t, failures: [], lockedUntil: at + rule.lockMs };
        return { ...t, failures: [...failures, at] };
      });
      if (after.lockedUntil && after.lockedUntil > at) {
        // This attempt hit the limit: give back what was counted on the keys before it.
        await this.refund({ keys: taken, at });
        throw this.limited(after.lockedUntil - at);
      }
      taken.push(key);
    }
    return { keys: taken, at };
  }

  /** A correct password gives its attempt back; it never lifts a lock (a lock may come from parallel guesses). */
  async succeeded(attempt: Attempt): Promise<void> {
    await this.refund(attempt);
  }

  private async refund(attempt: Attempt): Promise<void> {
    for (const key of attempt.keys) {
      await this.update(key, (t) => {
        const i = t.failures.indexOf(attempt.at);
        return i === -1 ? t : { ...t, failures: [...t.failures.slice(0, i), ...t.failures.slice(i + 1)] };
      });
    }
  }

  private limited(ms: number): RateLimitedError {
    return new RateLimitedError(Math.max(1, Math.ceil(ms / 1000)), '登录失败次数过多,请稍后再试', 'too many failed sign-ins; try again later');
  }

  /** Read-modify-write with compare-and-set; under contention it retries, and refuses the sign-in if it cannot. */
  private async update(key: string, change: (t: Throttle) => Throttle): Promise<Throttle> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const cur = await this.store.throttles.get(key);
      const next = JSON.parse(JSON.stringify(change(cur ?? { id: key, version: 1, failures: [] }))) as Throttle;
      try {
        return cur ? await this.store.throttles.update(key, next, cur.version, SYSTEM) : await this.store.throttles.create(next, SYSTEM);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw this.limited(1000);
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
