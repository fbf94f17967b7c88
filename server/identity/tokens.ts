// Bearer API tokens for machine clients: `gov_<id>.<secret>`. Only the SHA-256 of the whole token is stored;
// the secret is shown once at creation.

import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newToken(): { id: string; token: string; hash: string } {
  const id = randomUUID();
  const token = `gov_${id}.${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(s: string): boolean {
  return /^gov_[0-9a-f-]{36}\.[\w-]{43}$/.test(s);
}
