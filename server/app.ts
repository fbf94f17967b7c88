// createApp wires middleware and routers around already-built services. It does no I/O and never listens, so
// tests start it on port 0 with in-memory adapters.

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Services } from './actions/define.ts';
import type { Config } from './config.ts';
import { NotFoundError, RateLimitedError } from './domain/errors.ts';
import type { Actor } from './domain/roles.ts';
import { TokenBuckets, addressKey } from './identity/throttle.ts';
import { apiRouter, requestMeta } from './http/api.ts';
import { configurePassport, resolveActor } from './http/auth.ts';
import { guardInput, requireJson, requireUtf8 } from './http/guard.ts';
import { pagesRouter } from './http/pages.ts';
import { csrfFor, renderProblemPage } from './http/view.ts';
import { errorHandler } from './http/problem.ts';
import { PortSessionStore } from './http/session-store.ts';
import { type Logger, requestScope } from './log.ts';

export interface AppDeps extends Services {
  config: Pick<Config, 'sessionSecret' | 'sessionIdleMinutes' | 'sessionAbsoluteHours' | 'trustProxy' | 'secureCookies' | 'env'>
    & Partial<Pick<Config, 'searchRatePerSecond' | 'anonymousRatePerSecond'>>;
  log: Logger;
}

export const BODY_LIMIT = '256kb';

export function createApp(deps: AppDeps): Express {
  const { config, store, log } = deps;
  const services: Services = { store: deps.store, synonyms: deps.synonyms, now: deps.now, search: deps.search, auditTrail: deps.auditTrail };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  // The correlation id is the server's own, for every request: a client's X-Request-Id is kept beside it (in logs
  // and audit records) but never used as it, so nobody can make two requests look like one or forge a trail.
  // Every log line written while the request is handled carries its correlation id (log.ts), and one line says how
  // it ended: no query string (it may hold what someone searched for), the client's own id beside ours.
  app.use((req, res, next) => {
    const correlationId = randomUUID();
    res.locals.correlationId = correlationId;
    const incoming = req.headers['x-request-id'];
    if (typeof incoming === 'string' && /^[\x21-\x7e]{1,128}$/.test(incoming)) res.locals.clientRequestId = incoming;
    res.setHeader('X-Request-Id', correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => log.info('request', {
      correlationId, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      ...(res.locals.clientRequestId ? { clientRequestId: res.locals.clientRequestId } : {}), ...(res.locals.actor ? { user: (res.locals.actor as Actor).username } : {}),
    }));
    requestScope.run({ correlationId }, next);
  });
  app.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"], formAction: ["'self'"], objectSrc: ["'none'"],
        scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], fontSrc: ["'self'"],
      },
    },
    strictTransportSecurity: config.secureCookies,
    // Not helmet's no-referrer: with it browsers send `Origin: null` on same-origin form posts, which the
    // cross-site check below must refuse. same-origin still sends nothing to other sites.
    referrerPolicy: { policy: 'same-origin' },
  }));

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready means the store answers. The index is reported beside it: when it is down the app still takes writes
  // (they queue for the index), so the status is 'degraded' rather than unavailable.
  // The audit chain's verdict (start-up and every checkpoint since) is reported beside them: a broken chain is an
  // incident for people to look into, not a reason to stop serving (which a tamperer would welcome), so it makes the
  // status 'degraded', as the index does.
  app.get('/health/ready', async (_req, res) => {
    const search = await searchHealth(deps.search);
    const audit = auditHealth(deps.auditTrail);
    try {
      await store.ping();
      res.json({ status: search.ok && audit.ok ? 'ok' : 'degraded', store: { kind: store.kind, ok: true }, search, audit });
    } catch {
      res.status(503).setHeader('Retry-After', '5').json({ status: 'unavailable', store: { kind: store.kind, ok: false }, search, audit });
    }
  });

  app.use('/static', express.static(resolve(import.meta.dirname, '../views/static'), { maxAge: '1h', index: false }));

  // Sessions live in the store of record. The __Host- prefix needs Secure, so plain-HTTP local runs use a plain name.
  const idleMs = config.sessionIdleMinutes * 60_000;
  app.use(session({
    name: config.secureCookies ? '__Host-sid' : 'sid',
    secret: config.sessionSecret,
    store: new PortSessionStore(store.sessions, idleMs),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: idleMs, path: '/' },
  }));
  app.use((req, _res, next) => {
    const created = req.session?.createdAt;
    if (created && Date.now() - created > config.sessionAbsoluteHours * 3_600_000) {
      // A fresh, empty session: the old one is gone from the store and the user is signed out.
      req.session.regenerate(next);
      return;
    }
    next();
  });

  // Every sign-in attempt is audited with who it was for, from where, and the account's agency and roles when known.
  const passport = configurePassport(store, async (req, username, ok, user) => {
    const meta = requestMeta(req, req.res!);
    await store.audit.append({
      actor: username.slice(0, 64), action: 'auth.login', outcome: ok ? 'success' : 'denied',
      ...(user ? { object: `user:${user.id}`, agencyId: user.agencyId, roles: user.roles } : {}),
      correlationId: meta.correlationId, ...(meta.address ? { address: meta.address } : {}), ...(meta.clientRequestId ? { clientRequestId: meta.clientRequestId } : {}),
    });
    deps.auditTrail?.advanced();
  });
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(resolveActor(store));
  app.use(cookieParser());
  app.locals.csrf = csrfFor(config);

  // State-changing requests from another site are refused outright (B13); forms also carry a CSRF token.
  app.use((req, _res, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const host = req.headers.host;
    const foreign = origin !== undefined && (!URL.canParse(origin) || new URL(origin).host !== host);
    if (site === 'cross-site' || foreign) {
      return next(Object.assign(new Error('cross-site request'), { status: 403 }));
    }
    next();
  });

  app.use('/api', requireJson, express.json({ limit: BODY_LIMIT, strict: true, type: 'application/json', verify: requireUtf8 }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 2000, verify: requireUtf8 }));
  app.use(guardInput);

  // Rates per second with bursts of three seconds' worth.
  const limiter = (perSecond: number) => new TokenBuckets(perSecond, Math.max(1, perSecond * 3));
  const buckets = limiter(config.searchRatePerSecond ?? 10);
  app.use(['/api/v1/search', '/search'], (req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    const wait = buckets.take(actor ? `u:${actor.userId}` : `a:${addressKey(req.ip ?? '')}`);
    next(wait > 0 ? new RateLimitedError(wait) : undefined);
  });
  // Anonymous API reads per address: the public catalog is open, but not to be scraped at machine speed by one client.
  const anonymous = limiter(config.anonymousRatePerSecond ?? 20);
  app.use('/api', (req, res, next) => {
    if (res.locals.actor || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const wait = anonymous.take(addressKey(req.ip ?? ''));
    next(wait > 0 ? new RateLimitedError(wait) : undefined);
  });

  app.use('/api/v1', apiRouter(services));
  app.use('/api', (_req, _res, next) => next(new NotFoundError('route')));
  app.use(pagesRouter({ ...services, passport, log }));

  app.use((_req, _res, next) => next(new NotFoundError('page')));
  app.use(errorHandler(log, renderProblemPage));
  return app;
}

function auditHealth(trail: Services['auditTrail']) {
  const s = trail?.state();
  if (!s) return { ok: true, verified: 'not-configured' };
  // The verdict only: how far the log has grown says how busy the catalog is, which is nobody's business here.
  return { ok: s.ok, verified: s.scope, ...(s.problem ? { problem: s.problem.code } : {}) };
}

async function searchHealth(s: Services['search']) {
  if (!s) return { ok: false, state: 'absent' };
  try {
    const st = await s.engine.status();
    const sync = s.sync.state();
    return {
      ok: st.state === 'ready' && !sync.retrying, kind: s.engine.kind, state: st.state, mappingVersion: st.mappingVersion, docCount: st.docCount,
      rebuilding: st.rebuilding, syncing: sync.running, retrying: sync.retrying,
    };
  } catch {
    return { ok: false, kind: s.engine.kind, state: 'unavailable' };
  }
}
