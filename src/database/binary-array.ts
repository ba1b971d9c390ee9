/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what the server's array_recv reads), for the
 * parameters of hot statements: node-postgres sends a Buffer parameter with format code 1, and parsing a binary
 * element costs the server a small fraction of parsing its text form.
 *
 * Layout: int32 ndim (1, or 0 for an empty array, which then has no dimension fields), int32 has-nulls flag,
 * uint32 element type oid, [int32 length, int32 lower bound 1], then per element int32 byte length (-1 for
 * NULL) and that many bytes.
 *
 * The server does no text parsing of binary elements, so it cannot refuse what its text parser would have
 * refused (a malformed uuid, an out-of-range integer): this encoder checks every element and throws instead,
 * TypeError for a value of the wrong kind, RangeError for an integer out of its type's range.
 *
 * The element oid must be the one of the statement's cast ($1::uuid[] wants 2950): array_recv refuses any other.
 */

export interface ArrayElements {
  uuid: string;
  bytea: Uint8Array;
  int4: number;
  /** A bigint, a decimal integer string or a safe integer. */
  int8: bigint | string | number;
  text: string;
}

export type ArrayKind = keyof ArrayElements;

interface ElementCodec<T> {
  oid: number;
  /** Byte length of the element's binary form; also where a wrongly typed value is refused. */
  size(value: T, index: number): number;
  /** Writes the element (without its length prefix) at `offset`; returns its byte length. */
  write(buffer: Buffer, offset: number, value: T, index: number): number;
}

const HEADER_BYTES = 12;
const DIMENSION_BYTES = 8;
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const DECIMAL_INTEGER = /^-?\d+$/;

/** Value of each ASCII hex digit, -1 for every other code unit. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(c)] = c;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(c)] = c;
}

/** Where each byte's two hex digits start in the 8-4-4-4-12 form, and where its hyphens are. */
const UUID_BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const UUID_HYPHEN_POSITIONS = [8, 13, 18, 23];

function notUuid(index: number, value: unknown): TypeError {
  const what = typeof value === 'string' ? `a string of length ${value.length}` : typeof value;
  // The value itself stays out of the message: it may be client input on its way to a log.
  return new TypeError(`uuid[] element ${index}: ${what} is not a UUID in 8-4-4-4-12 hexadecimal form`);
}

const uuid: ElementCodec<string> = {
  oid: 2950,
  size(value, index) {
    if (typeof value !== 'string' || value.length !== 36) throw notUuid(index, value);
    return 16;
  },
  write(buffer, offset, value, index) {
    for (const at of UUID_HYPHEN_POSITIONS) if (value.charCodeAt(at) !== 0x2d) throw notUuid(index, value);
    for (let b = 0; b < 16; b++) {
      const at = UUID_BYTE_POSITIONS[b];
      const high = HEX_VALUE[value.charCodeAt(at)] ?? -1;
      const low = HEX_VALUE[value.charCodeAt(at + 1)] ?? -1;
      if (high < 0 || low < 0) throw notUuid(index, value);
      buffer[offset + b] = (high << 4) | low;
    }
    return 16;
  },
};

const bytea: ElementCodec<Uint8Array> = {
  oid: 17,
  size(value, index) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`bytea[] element ${index}: ${typeof value} is not a Buffer`);
    return value.length;
  },
  write(buffer, offset, value) {
    buffer.set(value, offset);
    return value.length;
  },
};

const int4: ElementCodec<number> = {
  oid: 23,
  size(value, index) {
    if (typeof value !== 'number') throw new TypeError(`int4[] element ${index}: ${typeof value} is not a number`);
    if (!Number.isSafeInteger(value) || value < INT4_MIN || value > INT4_MAX) {
      throw new RangeError(`int4[] element ${index}: ${value} is not an integer within int4's range`);
    }
    return 4;
  },
  write(buffer, offset, value) {
    buffer.writeInt32BE(value, offset);
    return 4;
  },
};

function toInt8(value: bigint | string | number, index: number): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string') {
    if (!DECIMAL_INTEGER.test(value)) throw new RangeError(`int8[] element ${index}: the string is not a decimal integer`);
    n = BigInt(value);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int8[] element ${index}: ${value} is not a safe integer`);
    n = BigInt(value);
  } else throw new TypeError(`int8[] element ${index}: ${typeof value} is not a bigint, string or number`);
  if (n < INT8_MIN || n > INT8_MAX) throw new RangeError(`int8[] element ${index}: ${n} is outside int8's range`);
  return n;
}

const int8: ElementCodec<bigint | string | number> = {
  oid: 20,
  // Fixed size: the value is checked once, as it is written.
  size: () => 8,
  write(buffer, offset, value, index) {
    buffer.writeBigInt64BE(toInt8(value, index), offset);
    return 8;
  },
};

const text: ElementCodec<string> = {
  oid: 25,
  size(value, index) {
    if (typeof value !== 'string') throw new TypeError(`text[] element ${index}: ${typeof value} is not a string`);
    return Buffer.byteLength(value, 'utf8');
  },
  write(buffer, offset, value) {
    return buffer.write(value, offset, 'utf8');
  },
};

const CODECS: { [K in ArrayKind]: ElementCodec<ArrayElements[K]> } = { uuid, bytea, int4, int8, text };

/**
 * `values` as a binary PostgreSQL array of `kind`, in one Buffer sized up front; null and undefined elements
 * are SQL NULLs (as node-postgres's text arrays have them).
 */
export function binaryArray<K extends ArrayKind>(kind: K, values: ReadonlyArray<ArrayElements[K] | null | undefined>): Buffer {
  const codec = CODECS[kind] as ElementCodec<ArrayElements[K]>;
  if (!codec) throw new TypeError(`no binary array encoding for element kind ${String(kind)}`);
  const count = values.length;
  let bytes = HEADER_BYTES + (count > 0 ? DIMENSION_BYTES : 0) + 4 * count;
  let hasNulls = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value == null) hasNulls = 1;
    else bytes += codec.size(value, i);
  }
  const buffer = Buffer.allocUnsafe(bytes);
  buffer.writeInt32BE(count > 0 ? 1 : 0, 0);
  buffer.writeInt32BE(hasNulls, 4);
  buffer.writeUInt32BE(codec.oid, 8);
  let offset = HEADER_BYTES;
  if (count > 0) {
    buffer.writeInt32BE(count, offset);
    buffer.writeInt32BE(1, offset + 4);
    offset += DIMENSION_BYTES;
  }
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value == null) {
      buffer.writeInt32BE(-1, offset);
      offset += 4;
    } else {
      const length = codec.write(buffer, offset + 4, value, i);
      buffer.writeInt32BE(length, offset);
      offset += 4 + length;
    }
  }
  return buffer;
}

/** The kinds by the names format_type() gives array types (as a function's catalog entry lists them). */
const KIND_OF_TYPE: ReadonlyMap<string, ArrayKind> = new Map<string, ArrayKind>([
  ['uuid[]', 'uuid'],
  ['bytea[]', 'bytea'],
  ['integer[]', 'int4'],
  ['int[]', 'int4'],
  ['int4[]', 'int4'],
  ['bigint[]', 'int8'],
  ['int8[]', 'int8'],
  ['text[]', 'text'],
]);

/** The binary kind for an SQL array type name, or null for a type this module does not encode. */
export function arrayKindOfType(sqlType: string): ArrayKind | null {
  return KIND_OF_TYPE.get(sqlType) ?? null;
}
