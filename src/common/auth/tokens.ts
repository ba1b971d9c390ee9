import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiTokenPrefix } from '../../api-tokens/api-token-kinds';

/** The prefixes of the tokens the service makes: POS, a generated ADMIN token, and the API token kinds. */
export type TokenPrefix = 'pos' | 'adm' | ApiTokenPrefix;

/** Tokens are stored and compared as sha256 digests only. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A new bearer token: 32 random bytes, with a prefix that tells a leaked token's kind at a glance. */
export function generateToken(prefix: TokenPrefix): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : null;
}
