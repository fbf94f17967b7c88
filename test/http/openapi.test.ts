// The OpenAPI document is checked against real responses, so it cannot drift from the server.

import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { API_ROUTES } from '../../server/http/api.ts';
import { type Client, type TestApp, startApp } from '../support/harness.ts';
import { resourceInput } from '../support/fixtures.ts';

describe('OpenAPI 3.1 document', () => {
  let app: TestApp;
  let doc: any;
  let ajv: Ajv2020;
  before(async () => {
    app = await startApp();
    doc = (await app.client().json('/api/v1/openapi.json')).body;
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'api', components: doc.components });
  });
  after(() => app.close());

  function check(method: string, template: string, status: number, body: unknown) {
    const op = doc.paths[template]?.[method];
    expect(op, `${method} ${template} is documented`).to.be.an('object');
    const response = op.responses[String(status)];
    expect(response, `${method} ${template} documents ${status}`).to.be.an('object');
    const content = response.content?.['application/json'] ?? response.content?.['application/problem+json'];
    if (!content) return;
    const schema = JSON.parse(JSON.stringify(content.schema).replaceAll('"#/components', '"api#/components'));
    const validate = ajv.compile(schema);
    expect(validate(body), `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
  }

  it('writes every pattern as an ECMA-262 regular expression that Unicode-aware engines also read', () => {
    const patterns: string[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) (k === 'pattern' && typeof v === 'string' ? patterns.push(v) : walk(v));
    };
    walk(doc);
    expect(patterns.length).to.be.greaterThan(30);
    for (const p of patterns) {
      expect(() => new RegExp(p, 'u'), p).not.to.throw();
      // \d, \w and \s mean more in other engines than in JavaScript, and surrogates are not characters to a
      // Unicode engine: the document spells classes out.
      expect(p, p).not.to.match(/\\[dwDW]|\\uD[89A-F]/i);
    }
  });

  it('is OpenAPI 3.1 and documents every route the server mounts', () => {
    expect(doc.openapi).to.equal('3.1.0');
    for (const r of API_ROUTES) {
      const template = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[template]?.[r.method], `${r.method} ${template}`).to.be.an('object');
      expect(doc.paths[template][r.method].operationId).to.equal(r.action.name);
    }
  });

  it('describes the real responses of a steward\'s session', async () => {
    const gaj: Client = await app.as('gaj');
    const created = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ contact: { name: '王敏', phone: '0571-87000000', email: 'wm@hangzhou.gov.cn' }, census: { totalStorageGB: 10, sharedStorageGB: 2 } }) });
    check('post', '/resources', 201, created.body);
    const id = created.body.resource.id;
    check('get', '/resources/{id}', 200, (await gaj.json(`/api/v1/resources/${id}`)).body);
    check('get', '/resources/by-code/{code}', 200, (await gaj.json('/api/v1/resources/by-code/101001-00001')).body);
    check('get', '/resources', 200, (await gaj.json('/api/v1/resources')).body);
    check('put', '/resources/{id}', 200, (await gaj.json(`/api/v1/resources/${id}`, { method: 'PUT', json: { ...resourceInput(), version: 1 } })).body);
    check('put', '/resources/{id}', 409, (await gaj.json(`/api/v1/resources/${id}`, { method: 'PUT', json: { ...resourceInput(), version: 1 } })).body);
    check('get', '/resources/{id}/history', 200, (await gaj.json(`/api/v1/resources/${id}/history`)).body);
    check('post', '/resources', 422, (await gaj.json('/api/v1/resources', { method: 'POST', json: {} })).body);
    check('post', '/resources', 400, (await gaj.json('/api/v1/resources', { method: 'POST', json: { $where: 1 } })).body);
    check('get', '/resources/{id}', 404, (await gaj.json('/api/v1/resources/nope')).body);
    check('get', '/me', 200, (await gaj.json('/api/v1/me')).body);
    check('get', '/agencies', 200, (await gaj.json('/api/v1/agencies')).body);
    check('get', '/agencies/{id}', 200, (await gaj.json('/api/v1/agencies/ag-gaj')).body);
    check('get', '/classification', 200, (await gaj.json('/api/v1/classification')).body);
    check('get', '/users', 403, (await gaj.json('/api/v1/users')).body);
    await app.settle();
    check('get', '/search', 200, (await gaj.json(`/api/v1/search?q=${encodeURIComponent('人口')}`)).body);
    check('get', '/search', 200, (await (await app.as('staff')).json('/api/v1/search?mode=items&q=xyz')).body);
    check('get', '/search', 400, (await gaj.json('/api/v1/search?page=0')).body);
    check('get', '/search/suggest', 200, (await gaj.json(`/api/v1/search/suggest?q=${encodeURIComponent('人口')}`)).body);
  });

  it('describes the administrators\' responses', async () => {
    const sec = await app.as('secadmin');
    const u = await sec.json('/api/v1/users', { method: 'POST', json: { username: 'api.user', displayName: '接口用户', agencyId: 'ag-xxb', roles: ['agency_staff'], password: 'a-long-enough-password' } });
    check('post', '/users', 201, u.body);
    check('get', '/users', 200, (await sec.json('/api/v1/users')).body);
    check('post', '/users/{id}/tokens', 201, (await sec.json(`/api/v1/users/${u.body.id}/tokens`, { method: 'POST', json: { name: 't' } })).body);
    check('put', '/users/{id}', 200, (await sec.json(`/api/v1/users/${u.body.id}`, { method: 'PUT', json: { disabled: true, version: 1 } })).body);
    check('get', '/users/{id}/tokens', 200, (await sec.json(`/api/v1/users/${u.body.id}/tokens`)).body);
    check('get', '/me', 401, (await app.client().json('/api/v1/me')).body);
  });
});
