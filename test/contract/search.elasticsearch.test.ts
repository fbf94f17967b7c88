// The SearchEngine contract against a real Elasticsearch (with the analysis-icu plugin, as docker-compose.yml
// runs it), when ELASTICSEARCH_URL is set; reported as skipped otherwise (architecture.md rule 6).
// Every engine gets its own alias under a per-run prefix, so the suite never touches the catalog's indices, and
// everything under the prefix is deleted at the end.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { openElasticsearchSearch } from '../../server/adapters/search/elasticsearch/engine.ts';
import { SYNONYMS_FILE } from '../../server/compose.ts';
import { searchContract } from './search.contract.ts';

const url = process.env.ELASTICSEARCH_URL;

if (!url) {
  describe('SearchEngine contract: elasticsearch', () => {
    it('is skipped because ELASTICSEARCH_URL is not set (no Elasticsearch server on this machine; start it with docker compose and set it to run this suite)', function () {
      this.skip();
    });
  });
} else {
  describe('elasticsearch (ELASTICSEARCH_URL)', () => {
    const prefix = `contract-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const synonymsText = readFileSync(SYNONYMS_FILE, 'utf8');
    let n = 0;

    searchContract('elasticsearch', async () => openElasticsearchSearch({
      node: url,
      alias: `${prefix}-${++n}`,
      synonymsText,
      // The suite reads its own writes at once; Elasticsearch is near-real-time otherwise.
      refresh: 'wait_for',
      // A cold test cluster can be slow on first queries; the 3 s budget itself is unit-tested.
      requestTimeoutMs: 10_000,
    }));

    after(async function () {
      this.timeout(60_000);
      const admin = new Client({ node: url });
      try {
        const found = await admin.indices.get({ index: `${prefix}-*`, expand_wildcards: 'all', allow_no_indices: true, ignore_unavailable: true });
        // One by name: clusters refuse wildcard deletes by default (action.destructive_requires_name).
        for (const name of Object.keys(found)) await admin.indices.delete({ index: name }, { ignore: [404] });
      } finally {
        await admin.close();
      }
    });
  });
}
