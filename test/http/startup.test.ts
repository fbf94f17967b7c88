// Start-up: configuration errors all at once, the demo on first start of the embedded default, never in
// production, and the two CLIs.

import { TEST_AUDIT_KEY } from '../support/fixtures.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import { compose } from '../../server/compose.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { ROLES } from '../../server/domain/roles.ts';
import { verifyPassword } from '../../server/identity/passwords.ts';
import { silentLogger } from '../../server/log.ts';
import { DEMO_USERS } from '../../server/seed/demo-users.ts';

describe('start-up', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every configuration problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', STORE: 'mongo', PORT: 'x', SEARCH: 'elasticsearch', SESSION_SECRET: 'short', DEMO: 'true' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).to.contain('MONGODB_URI').and.contain('ELASTICSEARCH_URL').and.contain('PORT')
      .and.contain('SESSION_SECRET').and.contain('DEMO').and.contain('AUDIT_KEY');
  });

  it('defaults to the embedded store with the demo outside production, and to no demo in production', () => {
    expect(loadConfig({})).to.include({ store: 'embedded', demo: true, port: 3000 });
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), AUDIT_KEY: 'k'.repeat(32) })).to.include({ demo: false, secureCookies: true });
  });

  it('loads a realistic demo catalog with an account for every role on first start', async () => {
    const config = loadConfig({ DATA_DIR: dir });
    const services = await compose(config, silentLogger);
    try {
      const { store } = services;
      expect(await store.resources.count()).to.be.at.least(300);
      expect(await store.resources.count({ path: 'status', eq: 'published' })).to.be.at.least(250);
      for (const t of ['无条件共享', '有条件共享', '不予共享']) expect(await store.resources.count({ path: 'sharing.type', eq: t }), t).to.be.greaterThan(0);
      for (const b of ['人口', '法人单位', '地理空间', '统计指标']) expect(await store.resources.count({ path: 'baseDatabase', eq: b }), b).to.be.greaterThan(0);
      for (const c of ['1', '2', '3']) expect(await store.resources.count({ path: 'classification.classCode', eq: c }), c).to.be.greaterThan(0);
      expect(await store.overlaps.count()).to.be.greaterThan(0);
      const users = (await store.users.list({ limit: 100 })).items;
      for (const role of ROLES) expect(users.some((u) => u.roles.includes(role) && u.demo), role).to.equal(true);
      const steward = users.find((u) => u.username === 'steward.gaj')!;
      expect(await verifyPassword(DEMO_USERS.find((u) => u.username === 'steward.gaj')!.password, steward.passwordHash)).to.equal(true);
    } finally {
      await services.search?.engine.close();
      await services.store.close();
    }
    // A second start keeps what is there.
    const again = await compose(loadConfig({ DATA_DIR: dir }), silentLogger);
    const n = await again.store.users.count();
    await again.search?.engine.close();
    await again.store.close();
    expect(n).to.equal(DEMO_USERS.length);
  });

  it('never creates demo accounts in production', async () => {
    const services = await compose(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), AUDIT_KEY: 'k'.repeat(32), DATA_DIR: dir }), silentLogger);
    try {
      expect(await services.store.users.count()).to.equal(0);
      expect(await services.store.resources.count()).to.equal(0);
      expect(await services.store.agencies.count()).to.be.greaterThan(20);
    } finally {
      await services.search?.engine.close();
      await services.store.close();
    }
  });

  it('creates the first administrator from the command line, with the password on standard input', () => {
    const env = { ...process.env, DATA_DIR: dir, NODE_ENV: 'development' };
    const ok = spawnSync('npx', ['tsx', 'server/cli/user.ts', 'create', '--username', 'admin', '--name', '管理员', '--agency', 'ag-xxb', '--role', 'security_admin', '--password-stdin'],
      { env, input: 'orchard-lantern-river-58\n', encoding: 'utf8' });
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('created admin');
    const bad = spawnSync('npx', ['tsx', 'server/cli/user.ts', 'create', '--username', 'x', '--agency', 'nope', '--role', 'god', '--password-stdin'], { env, input: 'short\n', encoding: 'utf8' });
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.contain('roles').and.contain('未知角色');
    const store = openEmbeddedStore({ path: join(dir, 'catalog.db'), auditKey: TEST_AUDIT_KEY });
    return store.users.getBy('username', 'admin').then(async (u) => {
      await store.close();
      expect(u?.roles).to.deep.equal(['security_admin']);
      expect(u?.demo).to.equal(false);
    });
  });

  it('reloads the demo with npm run seed, showing progress, and refuses production', () => {
    const env = { ...process.env, DATA_DIR: dir, NODE_ENV: 'development' };
    const run = spawnSync('npx', ['tsx', 'server/cli/seed.ts'], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/resources: \d+\/\d+/).and.match(/loaded \d{3} resources/);
    const prod = spawnSync('npx', ['tsx', 'server/cli/seed.ts'], { env: { ...env, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), AUDIT_KEY: 'k'.repeat(32) }, encoding: 'utf8' });
    expect(prod.status).to.equal(1);
    expect(prod.stderr).to.contain('NODE_ENV=production');
  });
});
