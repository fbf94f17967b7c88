// npm run test:api: the app's OpenAPI document against the running app (issue 9, item 14). Starts the embedded
// server on loopback over a throwaway demo, then runs schemathesis with every check, once anonymously and once with a
// data steward's API token, and fails on any failure it reports (server errors, schema violations and the rest).
// schemathesis comes from PyPI (.ci/run installs it into .ci/.venv; set SCHEMATHESIS to use another one).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const REPORTS = join(ROOT, 'test-results', 'schemathesis');
const SCHEMATHESIS = process.env.SCHEMATHESIS ?? join(ROOT, '.ci/.venv/bin/schemathesis');
const EXAMPLES = process.env.API_EXAMPLES ?? '20';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    }).on('error', fail);
  });
}

async function waitReady(base: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${base}/health/ready`);
      const body = (await r.json()) as { status?: string };
      if (r.ok && body.status === 'ok') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error('the app did not become ready');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Signs in through the login form, as a browser does; returns a caller that keeps the session's cookies. */
async function signIn(base: string, username: string, password: string) {
  const jar = new Map<string, string>();
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const form = await (await call('/login', { headers: { accept: 'text/html' } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1];
  await call('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, username, password, next: '/' }).toString() });
  if (!jar.has('sid')) throw new Error(`could not sign in as ${username}`);
  return { call, sid: jar.get('sid')! };
}

/** An API token for `forUser`, issued by the security administrator. */
async function mintToken(base: string, admin: [string, string], forUser: string): Promise<string> {
  const { call } = await signIn(base, ...admin);
  const users = (await (await call('/api/v1/users?limit=200', { headers: { accept: 'application/json' } })).json()) as { items: { id: string; username: string }[] };
  const id = users.items.find((u) => u.username === forUser)!.id;
  const t = (await (await call(`/api/v1/users/${id}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'schemathesis', expiresInDays: 1 }) })).json()) as { token: string };
  return t.token;
}

interface Failure { check: string; operation: string; status?: number; request: string; detail: string }

/** The failures of one run, from its NDJSON event stream, one per check and operation. */
function failures(ndjson: string): Failure[] {
  const seen = new Map<string, Failure>();
  for (const line of readFileSync(ndjson, 'utf8').split('\n')) {
    if (!line.includes('ScenarioFinished')) continue;
    const r = (JSON.parse(line) as { ScenarioFinished: { recorder: any } }).ScenarioFinished.recorder;
    for (const [id, checks] of Object.entries(r.checks ?? {}) as [string, any[]][]) {
      for (const c of checks) {
        if (c.status !== 'failure') continue;
        const key = `${c.name} ${r.label}`;
        if (seen.has(key)) continue;
        const inter = r.interactions?.[id] ?? {};
        const fail = c.failure_info?.failure ?? {};
        seen.set(key, {
          check: c.name, operation: r.label, status: inter.response?.status_code, request: `${inter.request?.method} ${inter.request?.uri}`,
          detail: `${fail.title ?? ''}: ${String(fail.message ?? '').replace(/\s+/g, ' ').slice(0, 300)}`,
        });
      }
    }
  }
  return [...seen.values()];
}

async function main(): Promise<number> {
  if (!existsSync(SCHEMATHESIS)) {
    process.stderr.write(`schemathesis not found at ${SCHEMATHESIS}: run .ci/run, or pip install schemathesis and set SCHEMATHESIS\n`);
    return 2;
  }
  const data = mkdtempSync(join(tmpdir(), 'api-check-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: data, PORT: String(port), HOST: '127.0.0.1', SEARCH_RATE_PER_SECOND: '0', ANONYMOUS_RATE_PER_SECOND: '0', LOG_LEVEL: 'error' },
  });
  try {
    process.stdout.write(`starting the app on ${base} (demo data in ${data})…\n`);
    await waitReady(base, 120_000);
    const token = await mintToken(base, ['secadmin', 'demo-security-2026'], 'steward.gaj');
    rmSync(REPORTS, { recursive: true, force: true });
    mkdirSync(REPORTS, { recursive: true });
    let failed = 0;
    // Anonymous, a data steward with an API token, and three deciding or administering roles with a browser session
    // (administrators cannot hold tokens, B22); the security administrator last, as it changes accounts.
    const sessions = [['office', 'office.xxb', 'demo-office-2026'], ['sysadmin', 'sysadmin', 'demo-system-2026'], ['secadmin', 'secadmin', 'demo-security-2026']] as const;
    // Credentials go to schemathesis as the document's security schemes, so its ignored_auth check can try the
    // request without them, or with them mangled, and expect 401.
    const identities: [string, string][] = [['anonymous', ''], ['steward', `[auth.openapi.bearer]\nbearer = "${token}"\n`]];
    for (const [who, username, password] of sessions) identities.push([who, `[auth.openapi.session]\napi_key = "${(await signIn(base, username, password)).sid}"\n`]);
    const baseConfig = readFileSync(join(ROOT, 'test/api/schemathesis.toml'), 'utf8');
    for (const [who, auth] of identities) {
      const config = join(REPORTS, `${who}.toml`);
      writeFileSync(config, `${baseConfig}\n${auth}`);
      const ndjson = join(REPORTS, `${who}.ndjson`);
      process.stdout.write(`\nschemathesis, all checks, as ${who}:\n`);
      const run = spawnSync(SCHEMATHESIS, [
        '--config-file', config, 'run', `${base}/api/v1/openapi.json`, '--checks', 'all', '-n', EXAMPLES, '--seed', '20261203',
        '--no-color', '--report', 'junit,ndjson', '--report-junit-path', join(REPORTS, `${who}.junit.xml`), '--report-ndjson-path', ndjson,
      ], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
      const summary = run.stdout.split('\n').filter((l) => /passed|failed|error|API Operations|Test Phases|Examples|Coverage|Fuzzing|Stateful|Seed/.test(l)).slice(-12);
      process.stdout.write(`${summary.join('\n')}\n`);
      const found = existsSync(ndjson) ? failures(ndjson) : [];
      for (const f of found) process.stdout.write(`  FAIL ${f.check} · ${f.operation} → ${f.status ?? 'no response'}\n       ${f.request}\n       ${f.detail}\n`);
      if (run.status !== 0 || found.length) failed += Math.max(found.length, 1);
    }
    process.stdout.write(failed ? `\n${failed} failure(s); reports in ${REPORTS}\n` : `\nno failures; reports in ${REPORTS}\n`);
    return failed ? 1 : 0;
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
