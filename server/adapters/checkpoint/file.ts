// The audit checkpoint as a small JSON file, replaced atomically (write a temporary file, flush it, rename it over
// the old one), so a crash leaves either the old checkpoint or the new one, never half of one.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Checkpoint } from '../../domain/audit.ts';
import type { CheckpointStore } from '../../ports/checkpoint.ts';

export function fileCheckpoints(path: string): CheckpointStore {
  return {
    where: path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      return JSON.parse(text) as Checkpoint;
    },
    async write(c) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(c)}\n`, { mode: 0o600, flush: true });
      await rename(tmp, path);
    },
  };
}
