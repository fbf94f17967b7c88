// Who is asking: a session signed in through passport-local, or a bearer API token. Either way the actor is
// rebuilt from the store on every request, so a disabled account or a changed role takes effect at once.

import type { RequestHandler } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { User } from '../domain/entities.ts';
import type { Actor } from '../domain/roles.ts';
import { burnPasswordCheck, verifyPassword } from '../identity/passwords.ts';
import { LoginThrottle } from '../identity/throttle.ts';
import { looksLikeToken, tokenHash } from '../identity/tokens.ts';
import type { Store } from '../ports/store.ts';

declare global {
  namespace Express {
    interface User {
      id: string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    createdAt?: number;
  }
}

export function toActor(u: User): Actor {
  return { userId: u.id, username: u.username, displayName: u.displayName, agencyId: u.agencyId, roles: u.roles, ...(u.demo ? { demo: true } : {}) };
}

export function configurePassport(store: Store, onLogin: (username: string, ok: boolean, userId?: string) => Promise<void>): passport.PassportStatic {
  const pp = new passport.Passport();
  const throttle = new LoginThrottle(store);
  pp.use(new LocalStrategy({ usernameField: 'username', passwordField: 'password', passReqToCallback: true }, (req, username, password, done) => {
    (async () => {
      if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 256) return done(null, false);
      // req.ip honours exactly the configured `trust proxy`, so a forged X-Forwarded-For names no other client.
      let attempt;
      try {
        attempt = await throttle.begin(username, req.ip ?? 'unknown');
      } catch (e) {
        await onLogin(username, false);
        throw e;
      }
      const user = await store.users.getBy('username', username);
      if (!user || user.disabled) {
        await burnPasswordCheck(password);
        await onLogin(username, false);
        return done(null, false);
      }
      const ok = await verifyPassword(password, user.passwordHash);
      if (ok) await throttle.succeeded(attempt);
      await onLogin(username, ok, user.id);
      return done(null, ok ? { id: user.id } : false);
    })().catch(done);
  }));
  pp.serializeUser((u, done) => done(null, u.id));
  pp.deserializeUser((id: string, done) => done(null, { id }));
  return pp as unknown as passport.PassportStatic;
}

/** Resolves res.locals.actor from a bearer token or the session's user id. */
export function resolveActor(store: Store): RequestHandler {
  return (req, res, next) => {
    (async () => {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const token = auth.slice(7).trim();
        const t = looksLikeToken(token) ? await store.tokens.getBy('hash', tokenHash(token)) : undefined;
        const valid = t && !t.revoked && (!t.expiresAt || Date.parse(t.expiresAt) > Date.now());
        const user = valid ? await store.users.get(t.userId) : undefined;
        if (!user || user.disabled) {
          res.status(401).type('application/problem+json').send(JSON.stringify({
            type: 'https://catalog.gov.example/problems/unauthenticated', title: 'Unauthenticated', status: 401,
            detail: 'invalid, expired or revoked API token', title_zh: '未认证', detail_zh: 'API 令牌无效、已过期或已吊销', correlationId: res.locals.correlationId,
          }));
          return;
        }
        res.locals.actor = toActor(user);
        res.locals.viaToken = true;
      } else if (req.user?.id) {
        const user = await store.users.get(req.user.id);
        if (user && !user.disabled) res.locals.actor = toActor(user);
      }
      next();
    })().catch(next);
  };
}
