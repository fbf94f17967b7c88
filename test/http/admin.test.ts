import { expect } from 'chai';
import { agencyCreditCode } from '../../server/seed/reference.ts';
import { type TestApp, startApp } from '../support/harness.ts';
import { SYSTEM, resourceInput, storedResource } from '../support/fixtures.ts';

describe('HTTP: accounts, tokens, reference data, 一数一源, audit, health', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.close());

  it('lets the security administrator create accounts and API tokens that work, and revoke them', async () => {
    const sec = await app.as('secadmin');
    const u = await sec.json('/api/v1/users', { method: 'POST', json: { username: 'machine', displayName: '交换平台', agencyId: 'ag-xxb', roles: ['agency_staff'], password: 'a-long-enough-password' } });
    expect(u.status).to.equal(201);
    expect(u.body).not.to.have.property('passwordHash');
    const t = await sec.json(`/api/v1/users/${u.body.id}/tokens`, { method: 'POST', json: { name: 'harvester', expiresInDays: 30 } });
    expect(t.status).to.equal(201);
    expect(t.body.token).to.match(/^gov_/);
    const stored = (await app.store.tokens.get(t.body.id))!;
    expect(stored.hash).to.have.length(64).and.not.equal(t.body.token);

    const bearer = app.client();
    const me = await bearer.json('/api/v1/me', { headers: { authorization: `Bearer ${t.body.token}` } });
    expect(me.body).to.include({ username: 'machine' });
    expect((await sec.json(`/api/v1/users/${u.body.id}/tokens`)).body.items[0]).not.to.have.property('hash');
    expect((await sec.json(`/api/v1/users/${u.body.id}/tokens/${t.body.id}`, { method: 'DELETE' })).status).to.equal(204);
    expect((await bearer.json('/api/v1/me', { headers: { authorization: `Bearer ${t.body.token}` } })).status).to.equal(401);
    expect((await bearer.json('/api/v1/me', { headers: { authorization: 'Bearer gov_forged' } })).status).to.equal(401);
  });

  it('keeps administrator duties apart and refuses account management to everyone else', async () => {
    const sec = await app.as('secadmin');
    const mixed = await sec.json('/api/v1/users', { method: 'POST', json: { username: 'both', displayName: 'x', agencyId: 'ag-xxb', roles: ['sys_admin', 'audit_admin'], password: 'a-long-enough-password' } });
    expect(mixed.status).to.equal(422);
    expect(mixed.body.errors[0].code).to.equal('separation_of_duties');
    const weak = await sec.json('/api/v1/users', { method: 'POST', json: { username: 'weak', displayName: 'x', agencyId: 'ag-xxb', roles: ['agency_staff'], password: 'short' } });
    expect(weak.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/password']);
    for (const who of ['sysadmin', 'auditor', 'office', 'gaj'] as const) {
      expect((await (await app.as(who)).json('/api/v1/users')).status, who).to.equal(403);
    }
    const denied = (await app.store.audit.list({ action: 'authz.denied' })).items;
    expect(denied.length).to.be.at.least(4);
  });

  it('lets the system administrator edit the agency and classification trees, with credit codes checked', async () => {
    const sys = await app.as('sysadmin');
    const bad = await sys.json('/api/v1/agencies', { method: 'POST', json: { name: '杭州市西湖区人民政府', code: '113301060000000010', kind: 'district', parentId: 'ag-city' } });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0]).to.include({ pointer: '/code', code: 'invalid_credit_code' });
    const good = await sys.json('/api/v1/agencies', { method: 'POST', json: { name: '杭州市西湖区人民政府', shortName: '西湖区', code: agencyCreditCode('330106', 900), kind: 'district', parentId: 'ag-city' } });
    expect(good.status).to.equal(201);
    const renamed = await sys.json(`/api/v1/agencies/${good.body.id}`, { method: 'PUT', json: { ...good.body, id: undefined, name: '西湖区人民政府', version: 1 } });
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    const node = await sys.json('/api/v1/classification', { method: 'POST', json: { code: '212', name: '数字经济' } });
    expect(node.status).to.equal(201);
    expect(node.body).to.include({ parentCode: '2', level: 2 });
    expect((await sys.json('/api/v1/classification', { method: 'POST', json: { code: '999001', name: 'x' } })).status).to.equal(422);
    expect((await (await app.as('gaj')).json('/api/v1/agencies', { method: 'POST', json: { name: 'x', code: 'y', kind: 'city' } })).status).to.equal(403);
    const agencies = await app.client().json('/api/v1/agencies');
    expect(agencies.body.total).to.equal(36);
  });

  it('tells a steward who re-collects an authoritative item which agency holds it, and records it for reviewers', async () => {
    await app.store.resources.create(storedResource({
      code: '101001/00009', name: '常住人口基本信息', status: 'published', provider: { agencyId: 'ag-gaj', code: 'c', name: '杭州市公安局' },
      authoritativeSource: ['公民身份号码'], authorityItems: ['公民身份号码'],
    }), SYSTEM);
    const wsj = await app.as('wsj');
    const res = await wsj.json('/api/v1/resources', {
      method: 'POST',
      json: resourceInput({ name: '居民健康档案', provider: { agencyId: 'ag-wsj' }, dataItems: [{ name: '身份证号', dataType: 'C', length: 18 }, { name: '血型', dataType: 'C', length: 4 }] }),
    });
    expect(res.status).to.equal(201);
    expect(res.body.overlaps).to.deep.equal([{
      authorityResourceId: res.body.overlaps[0].authorityResourceId, authorityResourceCode: '101001/00009', authorityResourceName: '常住人口基本信息',
      authorityAgencyId: 'ag-gaj', authorityAgencyName: '杭州市公安局', items: ['身份证号'],
    }]);
    const findings = await (await app.as('reviewer')).json('/api/v1/overlaps');
    expect(findings.body.total).to.equal(1);
    expect(findings.body.items[0]).to.include({ resourceId: res.body.resource.id, authorityAgencyId: 'ag-gaj', status: 'open' });
    expect((await wsj.json('/api/v1/overlaps')).status).to.equal(403);
    // Editing the items away resolves the finding.
    await wsj.json(`/api/v1/resources/${res.body.resource.id}`, { method: 'PUT', json: { ...resourceInput({ name: '居民健康档案', provider: { agencyId: 'ag-wsj' }, dataItems: [{ name: '血型', dataType: 'C', length: 4 }] }), version: 1 } });
    expect((await (await app.as('reviewer')).json('/api/v1/overlaps')).body.total).to.equal(0);
  });

  it('keeps a hash-chained audit log that only the audit administrator reads', async () => {
    await (await app.as('gaj')).json('/api/v1/resources', { method: 'POST', json: resourceInput() });
    const audit = await (await app.as('auditor')).json('/api/v1/audit?action=resource.create');
    expect(audit.body.total).to.equal(1);
    expect(audit.body.items[0]).to.include({ actor: 'gaj', agencyId: 'ag-gaj', outcome: 'success' });
    expect(audit.body.items[0].hash).to.match(/^[0-9a-f]{64}$/);
    expect((await (await app.as('secadmin')).json('/api/v1/audit')).status).to.equal(403);
  });

  it('reports liveness and readiness; readiness goes red when the store is gone', async () => {
    const c = app.client();
    expect((await c.json('/health/live')).status).to.equal(200);
    const healthy = (await c.json('/health/ready')).body;
    expect(healthy).to.deep.include({ status: 'ok', store: { kind: 'embedded', ok: true } });
    expect(healthy.search).to.include({ ok: true, kind: 'embedded', state: 'ready', mappingVersion: 1 });
    await app.store.close();
    const ready = await c.json('/health/ready');
    expect(ready.status).to.equal(503);
    expect(ready.headers.get('retry-after')).to.equal('5');
    expect((await c.json('/health/live')).status).to.equal(200);
  });
});
