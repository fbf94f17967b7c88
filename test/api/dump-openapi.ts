// Writes the OpenAPI document the server serves to a file (for `npm run lint:openapi`), without starting a server.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from '../../server/http/openapi.ts';

const out = resolve(import.meta.dirname, '../../test-results/openapi.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
process.stdout.write(`${out}\n`);
