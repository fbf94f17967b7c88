// Real store faults for tests: an embedded store on a file, with a second SQLite connection that can make the audit
// log refuse every insert (a trigger, so the failure happens inside the very transaction that carries the change).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openEmbeddedStore } from '../../server/adapters/store/embedded/store.ts';
import type { Store } from '../../server/ports/store.ts';
import { TEST_AUDIT_KEY } from './fixtures.ts';

export interface AuditFault {
  store: Store;
  /** From now on every audit insert fails (true) or works again (false). */
  failAudit(on: boolean): void;
  /** Removes the files (after the store is closed). */
  cleanup(): void;
}

export function storeWithAuditFault(): AuditFault {
  const dir = mkdtempSync(join(tmpdir(), 'audit-fault-'));
  const path = join(dir, 'catalog.db');
  const store = openEmbeddedStore({ path, auditKey: TEST_AUDIT_KEY });
  const admin = new DatabaseSync(path);
  return {
    store,
    failAudit(on) {
      admin.exec(on
        ? "CREATE TRIGGER IF NOT EXISTS test_audit_down BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
        : 'DROP TRIGGER IF EXISTS test_audit_down');
    },
    cleanup() {
      admin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
