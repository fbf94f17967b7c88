// What keeps the catalog trustworthy: no change without its audit record (F17), no identity borrowing across
// duties, no existence leaks through links, and no state written for anonymous readers.

import { expect } from 'chai';
import { type TestApp, startApp } from '../support/harness.ts';
import { SYSTEM, resourceInput, storedResource } from '../support/fixtures.ts';
import { storeWithAuditFault } from '../support/faulty-store.ts';

describe('HTTP: integrity', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.close());

  it('F17: when the audit log cannot be written, the change is not made', async () => {
    const fault = storeWithAuditFault();
    const failing = await startApp({ store: fault.store });
    try {
      const gaj = await failing.as('gaj');
      const sec = await failing.as('secadmin');
      const target = (await failing.store.users.getBy('username', 'staff'))!;
      fault.failAudit(true);
      expect((await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).status).to.equal(500);
      expect(await failing.store.resources.count()).to.equal(0);
      expect((await sec.json(`/api/v1/users/${target.id}`, { method: 'PUT', json: { roles: ['reviewer'], version: target.version } })).status).to.equal(500);
      expect((await failing.store.users.get(target.id))!.roles).to.deep.equal(['agency_staff']);
      fault.failAudit(false);
      expect((await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).status).to.equal(201);
    } finally {
      await failing.close();
      fault.cleanup();
    }
  });

  it('issues API tokens only to business accounts, so no administrator or reviewer can be impersonated', async () => {
    const sec = await app.as('secadmin');
    for (const who of ['auditor', 'reviewer', 'office', 'sysadmin'] as const) {
      const u = (await app.store.users.getBy('username', who))!;
      const res = await sec.json(`/api/v1/users/${u.id}/tokens`, { method: 'POST', json: { name: 'x' } });
      expect(res.status, who).to.equal(422);
      expect(res.body.errors[0].code).to.equal('token_not_allowed');
    }
    const staff = (await app.store.users.getBy('username', 'staff'))!;
    expect((await sec.json(`/api/v1/users/${staff.id}/tokens`, { method: 'POST', json: { name: 'x' } })).status).to.equal(201);
  });

  it('treats another agency\'s unpublished code as non-existent when linked', async () => {
    await app.store.resources.create(storedResource({ code: '101001/00042', status: 'draft', provider: { agencyId: 'ag-gaj', code: 'c', name: 'n' } }), SYSTEM);
    await app.store.resources.create(storedResource({ code: '101001/00043', status: 'published', provider: { agencyId: 'ag-gaj', code: 'c', name: 'n' } }), SYSTEM);
    const gsj = await app.as('gsj');
    const hidden = await gsj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ provider: { agencyId: 'ag-gsj' }, relatedCodes: ['101001/00042'] }) });
    expect(hidden.status).to.equal(422);
    expect(hidden.body.errors[0]).to.include({ pointer: '/relatedCodes/0', code: 'unknown_code' });
    const visible = await gsj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ provider: { agencyId: 'ag-gsj' }, relatedCodes: ['101001/00043'] }) });
    expect(visible.status).to.equal(201);
  });

  it('answers 403, not 500, to a malformed Origin, and 422 to a malformed agency id', async () => {
    const gaj = await app.as('gaj');
    expect((await gaj.json('/api/v1/resources', { method: 'POST', headers: { origin: 'not a url' }, json: resourceInput() })).status).to.equal(403);
    const sec = await app.as('secadmin');
    const staff = (await app.store.users.getBy('username', 'staff'))!;
    for (const agencyId of [{ a: 1 }, ['x'], 7]) {
      expect((await sec.json(`/api/v1/users/${staff.id}`, { method: 'PUT', json: { agencyId, version: staff.version } })).status).to.equal(422);
    }
  });

  it('writes no session for anonymous readers', async () => {
    const anon = app.client();
    for (let i = 0; i < 3; i++) {
      const res = await anon.fetch('/resources', { headers: { accept: 'text/html' } });
      expect(res.status).to.equal(200);
      expect(res.headers.getSetCookie()).to.deep.equal([]);
    }
  });
});
