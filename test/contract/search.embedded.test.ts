import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'chai';
import { EmbeddedSearchEngine, openEmbeddedSearch } from '../../server/adapters/search/embedded/engine.ts';
import { corpus, doc, query, searchContract } from './search.contract.ts';

searchContract('embedded (in memory)', async () => openEmbeddedSearch({ path: ':memory:' }));

describe('embedded search engine: persistence under data/', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'search-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function* from<T>(xs: T[]) {
    yield* xs;
  }

  it('keeps the index, its writes, tombstones and cursor across a restart', async () => {
    const path = join(dir, 'search.db');
    const a = openEmbeddedSearch({ path });
    await a.open();
    await a.rebuild(from(corpus(50)), { cursor: '3' });
    await a.upsert([doc('late', { version: 2, name: '重启后仍在' })]);
    await a.remove([{ id: 'r1', version: 9 }]);
    await a.setCursor((await a.getCursor()).index, '8');
    await a.close();

    const b = openEmbeddedSearch({ path });
    expect((await b.open()).state).to.equal('ready');
    expect((await b.status()).docCount).to.equal(50);
    expect((await b.query(query('重启后仍在'))).total).to.equal(1);
    expect((await b.upsert([doc('r1', { version: 8 })]))[0].status).to.equal('stale');
    expect((await b.getCursor()).cursor).to.equal('8');
    await b.close();
  });

  it('drops what a killed rebuild left behind at the next open, and a rebuild leaves one index', async () => {
    const path = join(dir, 'search.db');
    const a = new EmbeddedSearchEngine({ path });
    await a.open();
    await a.rebuild(from(corpus(5)));
    await a.rebuild(from(corpus(6)));
    expect(a.indices().map((i) => i.state)).to.deep.equal(['live']);
    await a.close();
    // Simulate a process killed mid-rebuild: a 'building' index row and its table.
    const raw = new DatabaseSync(path);
    raw.exec("INSERT INTO indices (name, mapping_version, state, created_at) VALUES ('catalog-resources-v1-99999999t999999999', 1, 'building', 'x'); CREATE TABLE idx_catalog_resources_v1_99999999t999999999 (id TEXT)");
    raw.close();
    const b = new EmbeddedSearchEngine({ path });
    await b.open();
    expect(b.indices().map((i) => i.state)).to.deep.equal(['live']);
    expect((await b.status()).docCount).to.equal(6);
    await b.close();
  });

  it('belongs to one process: a second opener is refused instead of diverging', async () => {
    const path = join(dir, 'search.db');
    const a = openEmbeddedSearch({ path });
    await a.open();
    await a.rebuild(from(corpus(3)));
    let err: unknown;
    try {
      const b = openEmbeddedSearch({ path });
      await b.open();
      await b.rebuild(from(corpus(3)));
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/locked/);
    await a.close();
  });
});
