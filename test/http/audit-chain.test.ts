// F20: an audit chain that can be proved. The chain is keyed with a secret kept outside the store and its head is
// checkpointed outside the store, so whoever can write the database can neither cut the tail off nor rewrite and
// re-hash records unseen: the audit administrator's verification, `npm run audit:verify` and start-up all say so.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'chai';
import { fileCheckpoints } from '../../server/adapters/checkpoint/file.ts';
import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.ts';
import { compose } from '../../server/compose.ts';
import { loadConfig } from '../../server/config.ts';
import { AuditTrail } from '../../server/actions/audit-trail.ts';
import { auditHash, checkpointSealed, legacyAuditHash, sealCheckpoint, verifyChain } from '../../server/domain/audit.ts';
import type { AuditRecord } from '../../server/domain/entities.ts';
import { silentLogger } from '../../server/log.ts';
import { TEST_AUDIT_KEY, resourceInput } from '../support/fixtures.ts';
import { type TestApp, startApp } from '../support/harness.ts';

async function* from(records: AuditRecord[]): AsyncIterable<AuditRecord> {
  yield* records;
}

/** What someone with write access to the database but not the key can do: rewrite a record and re-hash from there. */
function rehashFrom(db: DatabaseSync, seq: number, edit: (data: Record<string, unknown>) => void): void {
  const rows = db.prepare('SELECT seq, at, data, prev_hash, hash FROM audit WHERE seq >= ? ORDER BY seq').all(seq) as { seq: number; at: string; data: string; prev_hash: string; hash: string }[];
  let prev = rows[0].prev_hash;
  for (const r of rows) {
    const data = JSON.parse(r.data) as Record<string, unknown>;
    if (r.seq === seq) edit(data);
    // The best a forger can do without the key: an unkeyed hash, or a keyed one under a key of its own.
    const hash = createHash('sha256').update(prev).update(JSON.stringify([r.seq, r.at, data.actor, data.agencyId ?? null, data.roles ?? [], data.action, data.object ?? null, data.outcome, data.correlationId ?? null, data.address ?? null, data.clientRequestId ?? null, data.detail ?? null])).digest('hex');
    db.prepare('UPDATE audit SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(JSON.stringify(data), prev, hash, r.seq);
    prev = hash;
  }
}

describe('F20 the audit chain can be proved', () => {
  it('the domain detects a gap, an edit, a re-hash without the key, and a forged checkpoint', async () => {
    const records: AuditRecord[] = [];
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 5; seq++) {
      const entry = { actor: 'a', action: `x.${seq}`, outcome: 'success' as const };
      const at = `2026-12-0${seq}T00:00:00.000Z`;
      const hash = auditHash(TEST_AUDIT_KEY, prev, seq, at, entry);
      records.push({ ...entry, seq, at, prevHash: prev, hash });
      prev = hash;
    }
    expect((await verifyChain(from(records), TEST_AUDIT_KEY)).ok).to.equal(true);
    expect(await verifyChain(from([...records.slice(0, 2), ...records.slice(3)]), TEST_AUDIT_KEY)).to.include({ ok: false, brokenAt: 4, reason: 'gap' });
    expect(await verifyChain(from(records.map((r) => (r.seq === 3 ? { ...r, outcome: 'denied' as const } : r))), TEST_AUDIT_KEY)).to.include({ ok: false, brokenAt: 3, reason: 'hash' });
    const otherKey = Buffer.from('a-forger-s-own-key-of-32-characters!!');
    expect(await verifyChain(from(records), otherKey)).to.include({ ok: false, brokenAt: 1 });
    const cp = sealCheckpoint(TEST_AUDIT_KEY, { seq: 5, hash: prev }, '2026-12-06T00:00:00.000Z');
    expect(checkpointSealed(TEST_AUDIT_KEY, cp)).to.equal(true);
    expect(checkpointSealed(TEST_AUDIT_KEY, { ...cp, seq: 3 }), 'moved back').to.equal(false);
    expect(checkpointSealed(otherKey, cp)).to.equal(false);
  });

  describe('through the audit administrator\'s verification', () => {
    let dir: string;
    let app: TestApp;
    let db: DatabaseSync;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'audit-chain-'));
      const path = join(dir, 'catalog.db');
      app = await startApp({ noIndex: true, store: openEmbeddedStore({ path, auditKey: TEST_AUDIT_KEY }), checkpoints: fileCheckpoints(join(dir, 'audit-checkpoint.json')) });
      const gaj = await app.as('gaj');
      for (const name of ['常住人口基本信息', '暂住人口登记信息', '户籍迁移信息']) await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ name }) });
      await app.trail.checkpoint();
      db = new DatabaseSync(path);
    });
    afterEach(async () => {
      db.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const verify = async () => (await (await app.as('auditor')).json('/api/v1/audit/verification')).body;

    it('reports a whole chain that matches its checkpoint, on the API and on the page', async () => {
      const v = await verify();
      expect(v).to.deep.include({ ok: true, scope: 'full' });
      expect(v.checked).to.be.at.least(4);
      expect(v.checkpoint.seq).to.be.at.most(v.head.seq);
      expect((await (await app.as('gaj')).json('/api/v1/audit/verification')).status).to.equal(403);
      const auditor = await app.as('auditor');
      const page = await auditor.fetch('/admin/audit', { headers: { accept: 'text/html' } });
      expect(await page.text()).to.contain('审计日志').and.contain('auth.login');
      const verified = await auditor.form('/admin/audit/verify', {}, '/admin/audit');
      expect(verified.status).to.equal(200);
      expect(await verified.text()).to.contain('审计日志完整');
    });

    it('detects a truncated tail', async () => {
      const { seq } = (await app.store.audit.head())!;
      db.prepare('DELETE FROM audit WHERE seq > ?').run(seq - 3);
      const v = await verify();
      expect(v).to.deep.include({ ok: false });
      expect(v.problem).to.include({ code: 'truncated' });
      expect(v.problem.zh).to.contain('截断');
      const page = await (await app.as('auditor')).form('/admin/audit/verify', {}, '/admin/audit');
      expect(await page.text()).to.contain('校验未通过');
    });

    it('detects a record rewritten and the chain re-hashed after it', async () => {
      rehashFrom(db, 4, (data) => { data.outcome = 'denied'; });
      const v = await verify();
      expect(v.ok).to.equal(false);
      expect(v.problem).to.include({ code: 'broken', seq: 4 });
      // The checkpoint refuses to bless it.
      await app.trail.checkpoint();
      expect((await fileCheckpoints(join(dir, 'audit-checkpoint.json')).read())!.seq).to.equal(v.checkpoint.seq);
    });
  });

  it('start-up verifies what was appended since the last checkpoint and readiness reports it; npm run audit:verify says the same', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'audit-startup-'));
    try {
      const config = loadConfig({ DATA_DIR: dir, DEMO: 'false' });
      const first = await compose(config, silentLogger);
      await first.store.audit.append({ actor: 'x', action: 'test.one', outcome: 'success' });
      await first.store.audit.append({ actor: 'x', action: 'test.two', outcome: 'success' });
      await first.auditTrail!.stop();
      await first.search?.engine.close();
      await first.store.close();
      const cli = (extra: string[] = []) => spawnSync('npx', ['tsx', 'server/cli/audit.ts', ...extra], { env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8' });
      const ok = cli();
      expect(ok.status, ok.stderr).to.equal(0);
      expect(ok.stdout).to.contain('审计日志完整').and.contain('matching the checkpoint at 2');

      const again = await compose(config, silentLogger);
      expect(again.auditTrail!.state()).to.deep.include({ ok: true, scope: 'since-checkpoint', checked: 0 });
      await again.search?.engine.close();
      await again.store.close();

      const db = new DatabaseSync(join(dir, 'catalog.db'));
      db.exec('DELETE FROM audit WHERE seq = 2');
      db.close();
      const tampered = await compose(config, silentLogger);
      const server = createApp({ ...tampered, config, log: silentLogger }).listen(0, '127.0.0.1');
      try {
        expect(tampered.auditTrail!.state()).to.deep.include({ ok: false });
        expect(tampered.auditTrail!.state().problem).to.include({ code: 'truncated', seq: 2 });
        await new Promise((r) => server.once('listening', r));
        const ready = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`)).json();
        expect(ready).to.deep.include({ status: 'degraded' });
        expect(ready.audit).to.deep.equal({ ok: false, verified: 'since-checkpoint', problem: 'truncated' });
      } finally {
        server.close();
        await tampered.search?.engine.close();
        await tampered.store.close();
      }
      const bad = cli(['--json']);
      expect(bad.status).to.equal(1);
      expect(JSON.parse(bad.stdout).problem.code).to.equal('truncated');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a store from before the keyed chain is adopted once: its records as a legacy prefix, sealed into the first checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-legacy-'));
    try {
      const path = join(dir, 'catalog.db');
      openEmbeddedStore({ path, auditKey: TEST_AUDIT_KEY }).close();
      const db = new DatabaseSync(path);
      let prev = '0'.repeat(64);
      for (let seq = 1; seq <= 3; seq++) {
        const entry = { actor: 'old', action: `legacy.${seq}`, outcome: 'success' as const };
        const at = `2026-11-0${seq}T00:00:00.000Z`;
        const hash = legacyAuditHash(prev, seq, at, entry);
        db.prepare('INSERT INTO audit (seq, at, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)').run(seq, at, entry.action, JSON.stringify(entry), prev, hash);
        prev = hash;
      }
      const store = openEmbeddedStore({ path, auditKey: TEST_AUDIT_KEY });
      await store.audit.append({ actor: 'new', action: 'keyed.4', outcome: 'success' });
      const checkpoints = fileCheckpoints(join(dir, 'audit-checkpoint.json'));
      const trail = new AuditTrail(store.audit, TEST_AUDIT_KEY, checkpoints);
      expect(await trail.verify('since-checkpoint')).to.deep.include({ ok: true, legacyUntil: 3, checked: 4 });
      expect((await checkpoints.read())).to.include({ seq: 4, legacyUntil: 3 });
      await store.audit.append({ actor: 'new', action: 'keyed.5', outcome: 'success' });
      await trail.checkpoint();
      expect(await checkpoints.read()).to.include({ seq: 5, legacyUntil: 3 });
      expect(await new AuditTrail(store.audit, TEST_AUDIT_KEY, checkpoints).verify('full')).to.deep.include({ ok: true, legacyUntil: 3, checked: 5 });
      // Once adopted, the prefix is fixed: an edit inside it is found.
      db.prepare("UPDATE audit SET data = json_set(data, '$.outcome', 'denied') WHERE seq = 2").run();
      expect((await new AuditTrail(store.audit, TEST_AUDIT_KEY, checkpoints).verify('full')).problem).to.include({ code: 'broken', seq: 2 });
      db.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sign-in is audited with the account\'s agency and roles, the client address, and a correlation id of the server\'s own', async () => {
    const app = await startApp({ noIndex: true });
    try {
      const c = app.client();
      const token = await c.csrf('/login');
      const res = await c.fetch('/login', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'client-chosen-0001' },
        body: new URLSearchParams({ _csrf: token, username: 'gaj', password: 'correct-horse-battery', next: '/resources' }).toString(),
      });
      expect(res.status).to.equal(303);
      const serverId = res.headers.get('x-request-id');
      expect(serverId).to.match(/^[0-9a-f-]{36}$/).and.not.equal('client-chosen-0001');
      const login = (await app.store.audit.list({ action: 'auth.login' })).items[0];
      expect(login).to.deep.include({ actor: 'gaj', outcome: 'success', agencyId: 'ag-gaj', roles: ['data_steward', 'agency_staff'], correlationId: serverId, clientRequestId: 'client-chosen-0001' });
      expect(login.address).to.match(/127\.0\.0\.1/);
      // Every other audited change carries the same: the server's id and the client's address.
      const created = await c.json('/api/v1/resources', { method: 'POST', json: resourceInput(), headers: { 'x-request-id': 'client-chosen-0002' } });
      const rec = (await app.store.audit.list({ action: 'resource.create' })).items[0];
      expect(rec).to.deep.include({ correlationId: created.headers.get('x-request-id'), clientRequestId: 'client-chosen-0002', agencyId: 'ag-gaj' });
      expect(rec.address).to.match(/127\.0\.0\.1/);
    } finally {
      await app.close();
    }
  });
});
