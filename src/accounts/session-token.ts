import { createHash, randomBytes } from 'node:crypto';

// A session token is 32 random bytes, base64url; the database keeps only its SHA-256, so a
// leaked sessions table signs nobody in.

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
