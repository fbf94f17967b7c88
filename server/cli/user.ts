// npm run user -- create --username NAME --name 显示名 --agency AGENCY_ID --role ROLE[,ROLE] [--password-stdin]
// npm run user -- list
// Creates the first administrator (and any user) directly in the configured store. The password is read from
// standard input (never from the command line, where it would stay in shell history and `ps`); without
// --password-stdin it is taken from the CATALOG_PASSWORD environment variable.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../compose.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { ValidationError } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { createUser } from '../identity/users.ts';
import { ensureReferenceData } from '../seed/bootstrap.ts';

const CLI_ACTOR = { userId: 'cli', username: 'cli' };

function usage(code: number): never {
  process.stderr.write(`usage:
  npm run user -- create --username NAME --name 显示名 --agency AGENCY_ID --role ROLE[,ROLE] [--password-stdin]
  npm run user -- list
roles: ${ROLES.join(', ')}
`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, name: { type: 'string' }, agency: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) usage(0);
  const cmd = positionals[0];
  if (cmd !== 'create' && cmd !== 'list') usage(2);
  const config = loadConfig({ ...process.env, DEMO: 'false' });
  const store = await openStore(config);
  try {
    await ensureReferenceData(store);
    if (cmd === 'list') {
      for (const u of (await store.users.list({ limit: 1000, sort: [{ path: 'username', dir: 'asc' }] })).items) {
        process.stdout.write(`${u.username}\t${u.agencyId}\t${u.roles.join(',')}${u.disabled ? '\t(disabled)' : ''}${u.demo ? '\t(demo)' : ''}\n`);
      }
      return;
    }
    const password = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : process.env.CATALOG_PASSWORD ?? '';
    const roles = (values.role ?? '').split(',').filter(Boolean) as Role[];
    const user = await createUser(store, {
      username: values.username ?? '', displayName: values.name ?? values.username ?? '', agencyId: values.agency ?? '', roles, password,
    }, CLI_ACTOR, { audit: { actor: 'cli', action: 'user.create', object: `username:${values.username ?? ''}`, outcome: 'success', detail: { roles } } });
    process.stdout.write(`created ${user.username} (${user.roles.join(', ')}) in ${user.agencyId}\n`);
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  if (e instanceof ValidationError) {
    for (const err of e.errors) process.stderr.write(`${err.pointer.slice(1)}: ${err.message.zh} / ${err.message.en}\n`);
  } else if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    process.stderr.write(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  process.exit(1);
});
