// Bad input (security-and-reliability.md B1-B4, B10-B12, B14, B20): a clear error, nothing stored, nothing leaked.

import { expect } from 'chai';
import type { Store } from '../../server/ports/store.ts';
import { type TestApp, startApp } from '../support/harness.ts';
import { resourceInput } from '../support/fixtures.ts';

describe('HTTP: bad input', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(() => app.close());

  describe('B1 operator injection in bodies', () => {
    const payloads = ['$gt', '$ne', '$regex', '$where', '$expr', '$nor', '$_internalSchemaXor', '$jsonSchema'];
    for (const op of payloads) {
      it(`refuses ${op} with 400 before any store call`, async () => {
        const gaj = await app.as('gaj');
        const nested = await gaj.json('/api/v1/resources', { method: 'POST', json: { ...resourceInput(), name: { [op]: '' } } });
        expect(nested.status).to.equal(400);
        expect(nested.body.errors[0]).to.include({ pointer: `/name/${op}`, code: 'forbidden_key' });
        const top = await gaj.json('/api/v1/resources', { method: 'POST', json: { [op]: { a: 1 } } });
        expect(top.status).to.equal(400);
        const login = await app.client().json('/api/v1/resources/x', { method: 'PUT', json: { version: { [op]: 1 } } });
        expect(login.status).to.equal(400);
        expect(await app.store.resources.count()).to.equal(0);
      });
    }
  });

  describe('B2 query-string tricks', () => {
    for (const qs of ['agency[$ne]=x', 'agency=a&agency=b', 'limit[]=1', 'shareType=无条件共享&shareType=不予共享', 'status[$regex]=.*', 'sort=abstract', 'offset=-1', 'limit=1e9', 'nope=1']) {
      it(`answers 400 to ?${qs}`, async () => {
        const res = await (await app.as('office')).json(`/api/v1/resources?${qs}`);
        expect(res.status).to.equal(400);
        expect(res.body.errors.length).to.be.greaterThan(0);
      });
    }
  });

  describe('B3 prototype pollution and dotted keys', () => {
    for (const body of ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"name":"x","dataItems":[{"__proto__":{"polluted":true}}]}', '{"a.b":1}', '{"provider":{"agency.id":"x"}}']) {
      it(`refuses ${body}`, async () => {
        const gaj = await app.as('gaj');
        const res = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).to.equal(400);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
        expect(Object.prototype).not.to.have.property('polluted');
        expect(await app.store.resources.count()).to.equal(0);
      });
    }
  });

  describe('B4 mass assignment', () => {
    for (const [field, value] of [['status', 'published'], ['version', 9], ['code', '101001/99999'], ['approvedBy', 'x'], ['owner', 'ag-gsj'], ['createdBy', 'x'], ['id', 'chosen']] as const) {
      it(`refuses a client-set ${field}`, async () => {
        const gaj = await app.as('gaj');
        const res = await gaj.json('/api/v1/resources', { method: 'POST', json: { ...resourceInput(), [field]: value } });
        expect(res.status).to.equal(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include(`/${field}`);
        expect(await app.store.resources.count()).to.equal(0);
      });
    }
    it('refuses a client-set provider code and ignores nothing silently on update', async () => {
      const gaj = await app.as('gaj');
      const res = await gaj.json('/api/v1/resources', { method: 'POST', json: { ...resourceInput(), provider: { agencyId: 'ag-gaj', code: '91330100MA2XXXXXX0' } } });
      expect(res.status).to.equal(400);
      const r = (await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput() })).body.resource;
      const up = await gaj.json(`/api/v1/resources/${r.id}`, { method: 'PUT', json: { ...resourceInput(), version: 1, status: 'published' } });
      expect(up.status).to.equal(400);
      expect((await app.store.resources.get(r.id))!.status).to.equal('draft');
    });
    it('refuses a role change by anyone but the security administrator', async () => {
      const gaj = await app.as('gaj');
      const me = await gaj.json('/api/v1/me');
      expect((await gaj.json(`/api/v1/users/${me.body.userId}`, { method: 'PUT', json: { roles: ['info_office'], version: 1 } })).status).to.equal(403);
      expect((await app.store.users.get(me.body.userId))!.roles).to.deep.equal(['data_steward', 'agency_staff']);
    });
  });

  describe('B10 state-secret material', () => {
    const markings = ['机密★', '绝密', '秘密★5年', '秘 密★', '機密', '絕　密', '【秘密】', 'ＪＭ机 密'];
    for (const m of markings) {
      it(`refuses "${m}" in a text field with 422, stores nothing, and audits the attempt without the text`, async () => {
        const gaj = await app.as('gaj');
        const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ abstract: `人口数据 ${m} 内部使用` }) });
        expect(res.status).to.equal(422);
        expect(res.body.errors).to.deep.include.members([{ pointer: '/abstract', code: 'classified_marking', message: res.body.errors[0].message }]);
        expect(await app.store.resources.count()).to.equal(0);
        const audit = (await app.store.audit.list({ action: 'resource.secret_refused' })).items;
        expect(audit).to.have.length(1);
        expect(audit[0]).to.include({ actor: 'gaj', outcome: 'refused' });
        expect(JSON.stringify(audit[0])).not.to.contain('内部使用');
      });
    }
    it('refuses markings in data item names and a record declared 涉密', async () => {
      const gaj = await app.as('gaj');
      const item = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ dataItems: [{ name: '秘密★字段', dataType: 'C', length: 1 }] }) });
      expect(item.status).to.equal(422);
      expect(item.body.errors[0].pointer).to.equal('/dataItems/0/name');
      const declared = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ secrecy: '涉密' }) });
      expect(declared.status).to.equal(422);
      expect(declared.body.errors.map((e: { code: string }) => e.code)).to.include('classified');
      expect(await app.store.resources.count()).to.equal(0);
    });
    it('accepts innocent uses such as 商业秘密 in a refusal basis', async () => {
      const gaj = await app.as('gaj');
      const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ sharing: { type: '不予共享', basis: '涉及商业秘密和个人隐私,依据《中华人民共和国个人信息保护法》第十三条' } }) });
      expect(res.status).to.equal(201);
    });
  });

  describe('B11 oversized and deeply nested bodies', () => {
    it('answers 413 to a body over the limit, quickly', async () => {
      const gaj = await app.as('gaj');
      const started = Date.now();
      const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ abstract: '字'.repeat(400_000) }) });
      expect(res.status).to.equal(413);
      expect(Date.now() - started).to.be.below(2000);
    });
    it('answers 400 to deep nesting', async () => {
      const gaj = await app.as('gaj');
      const body = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
      const res = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).to.equal(400);
    });
    it('answers 400 to malformed JSON without echoing it', async () => {
      const gaj = await app.as('gaj');
      const res = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "x", SECRETSTUFF' });
      expect(res.status).to.equal(400);
      expect(await res.text()).not.to.contain('SECRETSTUFF');
    });
  });

  describe('B12 wrong content type', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      it(`answers 415 to ${type} on a JSON endpoint`, async () => {
        const gaj = await app.as('gaj');
        const res = await gaj.fetch('/api/v1/resources', { method: 'POST', headers: { 'content-type': type }, body: 'name=x' });
        expect(res.status).to.equal(415);
        expect(await app.store.resources.count()).to.equal(0);
      });
    }
  });

  describe('B14 sessions', () => {
    it('changes the session id at login and kills the old cookie at logout', async () => {
      const c = app.client();
      await c.csrf('/login');
      // The login form needs no session (its CSRF token is a signed cookie), so there is none to fix in advance.
      expect(c.cookies.get('sid')).to.equal(undefined);
      c.cookies.set('sid', 's%3Aplanted-by-an-attacker.forged');
      await c.login('gaj', 'correct-horse-battery');
      const after = c.cookies.get('sid');
      expect(after).to.be.a('string').and.not.contain('planted');
      expect((await c.json('/api/v1/me')).status).to.equal(200);
      const stolen = new Map(c.cookies);
      await c.form('/logout', {}, '/resources');
      const replay = app.client();
      replay.cookies = stolen;
      expect((await replay.json('/api/v1/me')).status).to.equal(401);
    });

    it('ends a session after the idle timeout and after the absolute timeout', async () => {
      const c = await app.as('gaj');
      const sid = decodeURIComponent(c.cookies.get('sid')!).replace(/^s:/, '').split('.')[0];
      const rec = (await app.store.sessions.get(sid))!;
      const data = JSON.parse(rec.data);
      await app.store.sessions.set(sid, { data: JSON.stringify({ ...data, createdAt: Date.now() - 13 * 3_600_000 }), expiresAt: rec.expiresAt });
      expect((await c.json('/api/v1/me')).status, 'absolute').to.equal(401);

      const d = app.client();
      await d.login('gsj', 'correct-horse-battery');
      const sid2 = decodeURIComponent(d.cookies.get('sid')!).replace(/^s:/, '').split('.')[0];
      const rec2 = (await app.store.sessions.get(sid2))!;
      await app.store.sessions.set(sid2, { data: rec2.data, expiresAt: Date.now() - 1 });
      expect((await d.json('/api/v1/me')).status, 'idle').to.equal(401);
    });

    it('sets the session cookie HttpOnly and SameSite, with an idle Max-Age; the CSRF cookie HttpOnly and SameSite=Strict', async () => {
      const c = app.client();
      const page = await c.fetch('/login', { headers: { accept: 'text/html' } });
      expect(page.headers.getSetCookie().find((x) => x.startsWith('csrf='))).to.match(/HttpOnly/i).and.match(/SameSite=Strict/i);
      const res = await c.login('gaj', 'correct-horse-battery');
      const cookie = res.headers.getSetCookie().find((x) => x.startsWith('sid='))!;
      expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i).and.match(/Expires=/i);
    });

    it('refuses a wrong password and an unknown user alike, and audits both', async () => {
      const c = app.client();
      for (const [u, p] of [['gaj', 'wrong-password-123'], ['nobody', 'whatever-password']]) {
        const res = await c.form('/login', { username: u, password: p, next: '/resources' });
        expect(res.headers.get('location')).to.contain('failed=1');
      }
      const denied = (await app.store.audit.list({ action: 'auth.login' })).items.filter((a) => a.outcome === 'denied');
      expect(denied.map((a) => a.actor)).to.include.members(['gaj', 'nobody']);
    });
  });

  describe('B13 cross-site writes', () => {
    it('refuses a form post without a CSRF token, and any write from a foreign origin', async () => {
      const c = await app.as('gaj');
      const noToken = await c.fetch('/resources', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
      expect(noToken.status).to.equal(403);
      const foreign = await c.json('/api/v1/resources', { method: 'POST', headers: { origin: 'https://evil.example' }, json: resourceInput() });
      expect(foreign.status).to.equal(403);
      expect(await app.store.resources.count()).to.equal(0);
    });
  });

  describe('B20 internal errors', () => {
    it('shows a generic message and a correlation id, never internals', async () => {
      const failing = await startApp({
        wrapStore: (s: Store) => ({ ...s, resources: { ...s.resources, list: async () => { throw new Error('SQLITE_CORRUPT in c_resources at json_extract'); } } }) as Store,
      });
      try {
        const res = await failing.client().json('/api/v1/resources');
        expect(res.status).to.equal(500);
        expect(res.body.correlationId).to.be.a('string');
        const text = JSON.stringify(res.body);
        for (const leak of ['SQLITE', 'c_resources', 'json_extract', '.ts:', '    at ']) expect(text).not.to.contain(leak);
        const html = await failing.client().fetch('/resources', { headers: { accept: 'text/html' } });
        expect(html.status).to.equal(500);
        const page = await html.text();
        expect(page).to.contain('关联编号').and.not.contain('SQLITE');
      } finally {
        await failing.close();
      }
    });
  });
});
