import { createHash } from 'node:crypto';

/**
 * The sha256 digest of a request's canonical form: the fields that decide replay versus IDEMPOTENCY_CONFLICT, in a
 * fixed order, as JSON (which tells a null from a string and a number from its text). Each kind of request names
 * its fields and their normal forms in its own fingerprint module; this is the one way they are hashed, so that a
 * digest stored today compares with one computed tomorrow. The first part is a format version.
 */
export function payloadDigest(parts: ReadonlyArray<string | number | null>): Buffer {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest();
}
