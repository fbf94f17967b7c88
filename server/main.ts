// Entry: load config → compose → createApp → listen. SIGTERM/SIGINT close the server, then the store.

import { expireLapsedGrants } from './actions/sharing/grants.ts';
import { ensureGrants, flagOverdue } from './actions/sharing/requests.ts';
import { actionContext } from './http/api.ts';
import { pruneIdempotency } from './http/idempotency.ts';
import { createApp } from './app.ts';
import { compose, startSearch } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  const services = await compose(config, log);
  const app = createApp({ ...services, config, log });
  const server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info(`政务信息资源目录 listening on http://${config.host}:${port}`, { store: config.store, demo: config.demo, env: config.env });
  });
  const search = services.search && startSearch(services.search, log);
  services.auditTrail?.start();
  const pruner = setInterval(() => services.store.sessions.prune(Date.now()).catch(() => {}), 10 * 60_000);
  pruner.unref();
  // The clocks, at start-up and then hourly: grants past their period expire, steps past their deadline are flagged,
  // a granted request missing its grant gets it, idempotency keys older than a day are forgotten, the store's query
  // statistics are refreshed.
  const clock = actionContext(services, { userId: 'system:clock', username: 'system', displayName: '系统', agencyId: '', roles: [] }, 'clock');
  const expire = () => Promise.all([
    expireLapsedGrants(services.store, services.now()), flagOverdue(services), ensureGrants(clock), pruneIdempotency(services.store, services.now()),
    services.store.maintain(),
  ]).then(
    ([expired, overdue, repaired]) => {
      if (expired || overdue || repaired) log.info('workflow clocks', { grantsExpired: expired, stepsOverdue: overdue, grantsRepaired: repaired });
      // The audit head in the application log too: one more copy outside the store, kept by whoever keeps the logs.
      const audit = services.auditTrail?.state();
      if (audit?.checkpoint) log.info('audit head', { seq: audit.checkpoint.seq, hash: audit.checkpoint.hash, ok: audit.ok });
    },
    (e: unknown) => log.warn('workflow clocks failed', { error: e instanceof Error ? e.message : String(e) }),
  );
  void expire();
  const expiry = setInterval(expire, 3600_000);
  expiry.unref();
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { signal });
    clearInterval(pruner);
    clearInterval(expiry);
    server.close(() => {
      (async () => {
        await search?.stop();
        await services.auditTrail?.stop();
        await services.search?.engine.close();
        await services.store.close();
      })().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
