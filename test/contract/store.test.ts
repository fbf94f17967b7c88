import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import { storeContract } from './store.contract.ts';

describe('Store contract: embedded (SQLite, in memory)', () => {
  storeContract(async () => openEmbeddedStore({ path: ':memory:' }));
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
    const store = await openMongoStore({ uri, dropDatabase: true });
    return store;
  });
});
