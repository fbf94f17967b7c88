// Where the audit chain's sealed head is kept: outside the store, so that whoever can rewrite the store cannot also
// move the checkpoint back (truncation) without being seen.

import type { Checkpoint } from '../domain/audit.ts';

export interface CheckpointStore {
  /** The last checkpoint written, or undefined when there is none yet. Throws when it is there but unreadable. */
  read(): Promise<Checkpoint | undefined>;
  write(c: Checkpoint): Promise<void>;
  /** Where it is, for messages to operators. */
  readonly where: string;
}

/** Kept in memory only: tests and tools that own no checkpoint. */
export function memoryCheckpoints(): CheckpointStore {
  let cur: Checkpoint | undefined;
  return {
    where: 'memory',
    async read() {
      return cur;
    },
    async write(c) {
      cur = c;
    },
  };
}
