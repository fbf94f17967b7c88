// F23 (issue 9 item 12): the production stack comes up on a fresh machine. No Docker engine runs here, so what can be
// checked without one is checked for real: the healthchecks' shell commands are run by sh with stand-ins for curl and
// mongosh, the image's last stage is read, and the app's start-up retries a store that is not there yet.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { withRetry } from '../../server/compose.ts';
import { UnavailableError } from '../../server/domain/errors.ts';

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Record<string, any>>; volumes: Record<string, unknown> };

describe('F23 docker-compose and the app image', () => {
  it('the Elasticsearch healthcheck passes its whole URL to curl and fails when curl fails', () => {
    const [kind, command] = compose.services.elasticsearch.healthcheck.test as string[];
    expect(kind).to.equal('CMD-SHELL');
    const dir = mkdtempSync(join(tmpdir(), 'hc-'));
    try {
      // A curl that records its arguments and fails, as it does while the cluster is not yellow.
      writeFileSync(join(dir, 'curl'), `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args\nexit 22\n`);
      chmodSync(join(dir, 'curl'), 0o755);
      let code = 0;
      try {
        execFileSync('sh', ['-c', command], { env: { PATH: `${dir}:/usr/bin:/bin` }, stdio: 'pipe' });
      } catch (e) {
        code = (e as { status: number }).status;
      }
      expect(code, 'an unhealthy cluster fails the check').to.equal(1);
      expect(readFileSync(join(dir, 'args'), 'utf8').split('\n')).to.include('http://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MongoDB is healthy only as a writable primary; the app restarts, runs under an init, needs its secrets and keeps its checkpoint on a volume', () => {
    const mongo = compose.services.mongo.healthcheck.test as string[];
    expect(mongo.at(-1)).to.contain('rs.initiate').and.contain('quit(db.hello().isWritablePrimary ? 0 : 1)');
    const app = compose.services.app;
    expect(app.restart).to.equal('unless-stopped');
    expect(app.init).to.equal(true);
    expect(app.environment.SESSION_SECRET).to.match(/^\$\{SESSION_SECRET:\?/);
    expect(app.environment.AUDIT_KEY).to.match(/^\$\{AUDIT_KEY:\?/);
    expect(app.environment.AUDIT_CHECKPOINT_FILE).to.equal('/app/data/audit-checkpoint.json');
    expect(app.volumes).to.include('app-data:/app/data');
    expect(Number(app.environment.STORE_OPEN_TIMEOUT_SECONDS)).to.be.at.least(60);
    for (const s of ['mongo', 'elasticsearch']) expect(app.depends_on[s].condition).to.equal('service_healthy');
  });

  it('the image that runs holds production dependencies only and starts node under tini, not npx', () => {
    const stages = readFileSync('Dockerfile', 'utf8').split(/^FROM /m).slice(1);
    expect(stages.length).to.be.at.least(2);
    const last = stages.at(-1)!;
    expect(last).to.contain('npm ci --omit=dev');
    expect(last).to.match(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(last).to.match(/CMD \["node", "dist\/server\/main\.js"\]/);
    expect(last).not.to.contain('npx');
    expect(last).not.to.contain('tsx');
  });

  it('start-up retries a store that is not reachable yet, with backoff, and gives up after its budget', async function () {
    this.timeout(20_000);
    let attempts = 0;
    const waits: number[] = [];
    const ok = await withRetry(async () => {
      if (++attempts < 3) throw new UnavailableError('not yet');
      return 'open';
    }, 5000, (_n, wait) => waits.push(wait));
    expect(ok).to.equal('open');
    expect(waits).to.deep.equal([250, 500]);
    // Anything else is not retried.
    let once = 0;
    const bad = await withRetry(async () => { once++; throw new Error('bad URI'); }, 5000).then(() => undefined, (e: unknown) => e);
    expect(bad).to.be.instanceOf(Error);
    expect(once).to.equal(1);
    // A real MongoDB URI with nobody listening: retried until the budget, then UnavailableError. (Imported here as
    // the server imports it: mocha's static imports and the adapter's lazy import would be two module instances.)
    const live = await import('../../server/compose.ts');
    const errors = await import('../../server/domain/errors.ts');
    const dir = mkdtempSync(join(tmpdir(), 'open-'));
    const started = Date.now();
    const retried: number[] = [];
    try {
      const err = await live.openStore({ store: 'mongo', dataDir: dir, mongodbUri: 'mongodb://127.0.0.1:1/catalog', storeOpenTimeoutSeconds: 4 },
        { debug() {}, info() {}, error() {}, warn: (_m, f) => retried.push(Number(f?.attempt)) }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(errors.UnavailableError);
      expect(retried).to.deep.equal([1]);
      expect(Date.now() - started).to.be.within(4000, 15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
