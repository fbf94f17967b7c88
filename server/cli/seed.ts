// npm run seed: reloads the demo catalog. With the embedded store it replaces the data file (the demo is the
// only thing that lives there); it refuses to run in production or against MongoDB, whose data is not a demo's.

import { rmSync } from 'node:fs';
import { embeddedSearchPath, embeddedStorePath, loadSynonyms, openStore } from '../compose.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { ensureReferenceData } from '../seed/bootstrap.ts';
import { loadDemo } from '../seed/load.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.env === 'production') throw new Error('npm run seed loads demo accounts with published passwords; it never runs with NODE_ENV=production');
  if (config.store !== 'embedded') throw new Error('npm run seed reloads the embedded demo only; it does not touch a MongoDB database');
  const path = embeddedStorePath(config);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  // The audit checkpoint describes the old log: it goes with it (the key stays; it is not the data's).
  rmSync(config.auditCheckpointFile, { force: true });
  // The embedded index describes the old data: it goes too, and the next start rebuilds it from the new store.
  if (config.search === 'embedded') for (const suffix of ['', '-wal', '-shm']) rmSync(embeddedSearchPath(config) + suffix, { force: true });
  process.stdout.write(`reloading the demo catalog into ${path}\n`);
  const store = await openStore(config);
  try {
    const ref = await ensureReferenceData(store);
    process.stdout.write(`reference data: ${ref.agencies} agencies, ${ref.nodes} classification nodes\n`);
    const started = Date.now();
    const r = await loadDemo(store, loadSynonyms(), (stage, done, total) => {
      process.stdout.write(`\r${stage}: ${done}/${total} ${'█'.repeat(Math.round((done / total) * 30)).padEnd(30, '░')}${done === total ? '\n' : ''}`);
    });
    process.stdout.write(`loaded ${r.resources} resources, ${r.users} demo accounts, ${r.overlaps} 一数一源 findings in ${Date.now() - started} ms\n`);
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `seed failed: ${e instanceof Error ? e.message : String(e)}`}\n`);
  process.exit(1);
});
