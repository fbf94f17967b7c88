// B17 / issue 9 item 13: logs are pino JSON lines, one per event, with the request's correlation id on each, and
// secrets and personal data redacted by field name and by shape.

import { expect } from 'chai';
import { createLogger, requestScope } from '../../server/log.ts';
import { resourceInput } from '../support/fixtures.ts';
import { startApp } from '../support/harness.ts';

function capture(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (l) => lines.push(l)), parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logs (pino)', () => {
  it('writes one JSON line per event, injection in values cannot split or colour a line, long values are cut', () => {
    const { lines, log, parsed } = capture();
    log.warn('user said\r\n{"level":"error","msg":"forged"}', { q: '\u001b[31mred\u001b[0m', long: 'x'.repeat(10_000) });
    expect(lines).to.have.length(1);
    expect(lines[0].trimEnd().split('\n')).to.have.length(1);
    const [e] = parsed();
    expect(e).to.include({ level: 'warn' });
    expect(e.t).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(String(e.long).length).to.be.below(600);
    expect(lines[0]).not.to.contain('\u001b');
  });

  it('redacts secrets and personal data by field name and inside text', () => {
    const { lines, log } = capture();
    log.error('login failed for mongodb://admin:hunter2hunter2@mongo:27017/catalog', {
      password: 'hunter2hunter2', user: { token: 'gov_x', contact: { name: '王敏', phone: '13912345678' } }, headers: { authorization: 'Bearer abc.def', cookie: 'sid=s%3Aabc' },
      err: new Error('bad id 330102199001011234 from 13812345678 with gov_0b8f6a6e-3f2a-4d1b-9a7c-2f1e0d9c8b7a.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdefg'),
      note: 'sent Bearer eyJhbGciOi.secret to the index',
    });
    const out = lines.join('');
    for (const secret of ['hunter2hunter2', 'gov_x', '13912345678', 'abc.def', 'sid=s%3Aabc', '330102199001011234', '13812345678', 'gov_0b8f6a6e', 'eyJhbGciOi', '王敏']) {
      expect(out, secret).not.to.contain(secret);
    }
    expect(out).to.contain('[已隐去]').and.contain('mongo:27017');
    lines.length = 0;
    log.warn('more', {
      a: { b: { c: { password: 'DEEP-SECRET' } } }, Authorization: 'Bearer zzz', apiToken: 'tok-1', 'x-api-key': 'k-1', 'Set-Cookie': 'sid=1',
      long: `${'x'.repeat(495)}330102199001011234`,
    });
    for (const secret of ['DEEP-SECRET', 'zzz', 'tok-1', 'k-1', 'sid=1', '330102']) expect(lines.join(''), secret).not.to.contain(secret);
  });

  it('puts the correlation id of the request on every line written while it is handled', async () => {
    const { log, parsed } = capture('info');
    requestScope.run({ correlationId: 'c-1' }, () => log.info('inside'));
    log.info('outside');
    expect(parsed().map((e) => e.correlationId)).to.deep.equal(['c-1', undefined]);
    const app = await startApp({ noIndex: true, log });
    try {
      const gaj = await app.as('gaj');
      const res = await gaj.json('/api/v1/resources', { method: 'POST', json: resourceInput({ contact: { name: '王敏', phone: '0571-87000000' } }) });
      const id = res.headers.get('x-request-id');
      const mine = parsed().filter((e) => e.correlationId === id);
      expect(mine.map((e) => e.msg)).to.include('request');
      expect(mine.find((e) => e.msg === 'request')).to.include({ method: 'POST', path: '/api/v1/resources', status: 201, user: 'gaj' });
      expect(JSON.stringify(parsed())).not.to.contain('correct-horse-battery');
    } finally {
      await app.close();
    }
  });
});
