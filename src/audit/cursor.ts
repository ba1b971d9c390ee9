import { createHash } from 'node:crypto';

/**
 * Opaque keyset cursors. A cursor carries the position of the last row of a page and a fingerprint of the query
 * that produced it (its filters and order), so that a cursor reused with other filters is refused instead of
 * silently starting a different walk at a meaningless position. Plain data, no framework: unit-tested alone.
 */

/** Where a walk stands. Every field is text so that bigints and microsecond instants survive exactly. */
export type CursorPosition =
  /** Transactions in the order they entered the ledger: (recorded_at in epoch microseconds, transaction id). */
  | { kind: 'transaction'; recordedAtMicros: bigint; id: string }
  /** One account's history: the id of the account's entry in the transaction (ledger_entries.id). */
  | { kind: 'entry'; entryId: bigint }
  /** The trial balance's accounts, by account code. */
  | { kind: 'account'; code: string };

/** Anything that decides which rows a walk returns and in which order; null and absent are the same. */
export type QueryShape = Record<string, string | bigint | null | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SIGNED_INTEGER = /^-?\d{1,20}$/;
const UNSIGNED_INTEGER = /^\d{1,19}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_CURSOR_LENGTH = 1000;

/** A short digest of a query's shape, independent of key order and of how an absent value is spelled. */
export function queryFingerprint(shape: QueryShape): string {
  const canonical = Object.keys(shape)
    .sort()
    .filter((key) => shape[key] !== null && shape[key] !== undefined)
    .map((key) => [key, String(shape[key])]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  const p =
    position.kind === 'transaction'
      ? ['t', position.recordedAtMicros.toString(), position.id]
      : position.kind === 'entry'
        ? ['e', position.entryId.toString()]
        : ['a', position.code];
  return Buffer.from(JSON.stringify({ p, f: fingerprint }), 'utf8').toString('base64url');
}

export type DecodedCursor = { ok: true; position: CursorPosition } | { ok: false; reason: 'malformed' | 'other-query' };

/**
 * The position of a cursor made by encodeCursor with the same fingerprint and kind of position. A cursor of another
 * query (other filters, order or as-of instant) is 'other-query'; anything else that is not such a cursor is
 * 'malformed'.
 */
export function decodeCursor(cursor: string, fingerprint: string, expected: CursorPosition['kind']): DecodedCursor {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return malformed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return malformed;
  }
  if (typeof parsed !== 'object' || parsed === null) return malformed;
  const { p, f } = parsed as { p?: unknown; f?: unknown };
  if (typeof f !== 'string' || !Array.isArray(p) || !p.every((x) => typeof x === 'string')) return malformed;
  const position = positionOf(p as string[]);
  if (position === null) return malformed;
  if (f !== fingerprint) return { ok: false, reason: 'other-query' };
  if (position.kind !== expected) return malformed;
  return { ok: true, position };
}

function positionOf(p: string[]): CursorPosition | null {
  const [tag, ...rest] = p;
  if (tag === 't' && rest.length === 2 && SIGNED_INTEGER.test(rest[0]) && UUID.test(rest[1])) {
    return { kind: 'transaction', recordedAtMicros: BigInt(rest[0]), id: rest[1] };
  }
  if (tag === 'e' && rest.length === 1 && UNSIGNED_INTEGER.test(rest[0])) {
    return { kind: 'entry', entryId: BigInt(rest[0]) };
  }
  if (tag === 'a' && rest.length === 1 && rest[0].length > 0 && rest[0].length <= 300) {
    return { kind: 'account', code: rest[0] };
  }
  return null;
}
