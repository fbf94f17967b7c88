// Who is asking: a session signed in through passport-local, or a bearer API token. Either way the actor is
// rebuilt from the store on every request, so a disabled account or a changed role takes effect at once.

import type { Request, RequestHandler } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { User } from '../domain/entities.ts';
import { type Actor, mayHoldTokens } from '../domain/roles.ts';
import { burnPasswordCheck, verifyPassword } from '../identity/passwords.ts';
import { LoginThrottle } from '../identity/throttle.ts';
import { looksLikeToken, tokenHash } from '../identity/tokens.ts';
import type { Store } from '../ports/store.ts';

declare global {
  namespace Express {
    interface User {
      id: string;
      /** The account's authEpoch when this session signed in: a later change of roles or state ends the session. */
      authEpoch?: number;
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

/** Called for every sign-in attempt, with its request (for the audit record), whether it succeeded and the account. */
export type LoginHook = (req: Request, username: string, ok: boolean, user?: User) => Promise<void>;

export function configurePassport(store: Store, onLogin: LoginHook): passport.PassportStatic {
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
        await onLogin(req, username, false);
        throw e;
      }
      const user = await store.users.getBy('username', username);
      if (!user || user.disabled) {
        await burnPasswordCheck(password);
        await onLogin(req, username, false);
        return done(null, false);
      }
      const ok = await verifyPassword(password, user.passwordHash);
      if (ok) await throttle.succeeded(attempt);
      await onLogin(req, username, ok, user);
      return done(null, ok ? { id: user.id, authEpoch: user.authEpoch ?? 0 } : false);
    })().catch(done);
  }));
  pp.serializeUser((u, done) => done(null, { id: u.id, epoch: u.authEpoch ?? 0 }));
  // Sessions from before epochs were kept hold a bare id: epoch 0, which every account had then.
  pp.deserializeUser((v: string | { id: string; epoch?: number }, done) => done(null, typeof v === 'string' ? { id: v, authEpoch: 0 } : { id: v.id, authEpoch: v.epoch ?? 0 }));
  return pp as unknown as passport.PassportStatic;
}

/**
 * Resolves res.locals.actor from a bearer token or the session's user id, against the account as it is now (B22):
 * a token works only while its account is enabled, holds token roles only, and is in the epoch the token was issued
 * in; a session ends when its account's epoch moved on (a role, agency or state change) or the account is disabled.
 */
export function resolveActor(store: Store): RequestHandler {
  return (req, res, next) => {
    (async () => {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const token = auth.slice(7).trim();
        const t = looksLikeToken(token) ? await store.tokens.getBy('hash', tokenHash(token)) : undefined;
        const valid = t && !t.revoked && (!t.expiresAt || Date.parse(t.expiresAt) > Date.now());
        const found = valid ? await store.users.get(t.userId) : undefined;
        const user = found && !found.disabled && mayHoldTokens(found.roles) && (t!.epoch ?? 0) === (found.authEpoch ?? 0) ? found : undefined;
        if (!user) {
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
        if (user && !user.disabled && (user.authEpoch ?? 0) === (req.user.authEpoch ?? 0)) {
          res.locals.actor = toActor(user);
        } else {
          // What this session was signed in as no longer exists: it ends here, and the request goes on signed out.
          await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
          delete req.user;
        }
      }
      next();
    })().catch(next);
  };
}
