import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'chai';
import { SYSTEM, TEST_AUDIT_KEY, storedResource } from '../support/fixtures.ts';
import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import { storeContract } from './store.contract.ts';

describe('Store contract: embedded (SQLite, in memory)', () => {
  storeContract(async () => openEmbeddedStore({ path: ':memory:', auditKey: TEST_AUDIT_KEY }));
});

describe('embedded store: query statistics', () => {
  it('maintain() gives the planner statistics, so the 一数一源 item lookup drives the query instead of the status index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-stats-'));
    try {
      const path = join(dir, 'catalog.db');
      const store = openEmbeddedStore({ path, auditKey: TEST_AUDIT_KEY });
      const docs = Array.from({ length: 400 }, (_, i) => storedResource({ id: `r${i}`, code: `101001/${String(i).padStart(5, '0')}`, nameKey: `n${i}`, status: 'published', authorityItems: i % 50 === 0 ? ['公民身份号码'] : [] }));
      await store.resources.createMany(docs, SYSTEM);
      const plan = () => {
        const db = new DatabaseSync(path, { readOnly: true });
        try {
          return (db.prepare("EXPLAIN QUERY PLAN SELECT id FROM c_resources WHERE id IN (SELECT id FROM m_resources WHERE path = 'authorityItems' AND value IN ('公民身份号码')) AND json_extract(data, '$.status') = 'published'").all() as { detail: string }[])
            .map((r) => r.detail).join(' | ');
        } finally {
          db.close();
        }
      };
      expect(plan()).to.contain('ix_resources_status');
      await store.maintain();
      expect(plan()).not.to.contain('ix_resources_status');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Store contract: MongoDB', function () {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    it('is skipped because MONGODB_URI is not set (start MongoDB with docker compose and set it to run this suite)', function () {
      this.skip();
    });
    return;
  }
  storeContract(async () => {
    const { openMongoStore } = await import('../../server/adapters/store/mongo/store.ts');
    const store = await openMongoStore({ uri, dropDatabase: true, auditKey: TEST_AUDIT_KEY });
    return store;
  });
});
