import fc from 'fast-check';

/** A JSON number (or other text) that JSON.stringify cannot write: 1e309, -0, 2^53 + 1 exactly. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text with every RawJson written verbatim. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof RawJson ? `\u0000RAW${raws.push(v.text) - 1}\u0000` : v));
  return (text ?? 'null').replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
}

const DAY_MS = 86_400_000;

export const overflowingNumber: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  new RawJson('2147483648'),
  new RawJson('-2147483649'),
  new RawJson('9007199254740993'),
  new RawJson('1e309'),
  new RawJson('-1e309'),
  new RawJson('-0'),
  new RawJson('1e-400'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('0.1e1'),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  0.5,
  -1,
  0,
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
);

export const specialString: fc.Arbitrary<string> = fc.constantFrom(
  '',
  ' ',
  '\u00a0',
  '\ufeff',
  '\u3000',
  '\u2028',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud800y',
  '\u202eevil\u202c',
  '\u200b',
  '\u0301',
  '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}',
  '\t',
  '\r\n',
  'null',
  '{}',
  "'; drop table purchases; --",
  "' or '1'='1",
  '$1',
  '%00',
  '\\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'ß'.repeat(129),
  'x'.repeat(128),
  'x'.repeat(129),
);

/** Any UTF-16 code unit, lone surrogates and controls included. */
export const codeUnitString: fc.Arbitrary<string> = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('a', ' ', '\u0000', '\ud800', '\u{1F600}', '\u00e9', '{', '"', '\\'), fc.integer({ min: 1_000, max: 100_000 }))
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)));

export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: specialString, weight: 4 },
  { arbitrary: codeUnitString, weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: hugeString, weight: 1 },
);

/** A value of a wrong or hostile kind for any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: overflowingNumber, weight: 3 },
  { arbitrary: anyString, weight: 5 },
  { arbitrary: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 5 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxKeys: 4 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 3000 }).map((depth) => nestedObject(depth)), weight: 1 },
);

export function nestedObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export function nestedArray(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

export const uuidLike = (known: string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...known), weight: 6 },
    { arbitrary: fc.uuid(), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        'not-a-uuid',
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        `{${known[0]}}`,
        known[0].toUpperCase(),
        ` ${known[0]}`,
        `${known[0]}\u0000`,
        known[0].replace(/-/g, ''),
        `${known[0]}0`,
        'urn:uuid:' + known[0],
      ),
      weight: 2,
    },
    { arbitrary: hostileValue, weight: 2 },
  );

export const dateTimeLike: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc
      .integer({ min: -40 * DAY_MS, max: 10 * 60_000 })
      .map((offset) => new Date(Date.now() + offset).toISOString()),
    weight: 5,
  },
  {
    arbitrary: fc.constantFrom(
      '2026-02-30T00:00:00Z',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00:00+25:00',
      '2026-01-01T00:00:00+05:60',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '+275760-09-13T00:00:00Z',
      '2026-01-01T23:59:60Z',
      '2026-13-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      'now',
      '2026-01-01T00:00:00.1234567890123Z',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00z',
    ),
    weight: 3,
  },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: hostileValue, weight: 2 },
);

export const localDateLike: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.integer({ min: -400, max: 400 }).map((d) => new Date(Date.now() + d * DAY_MS).toISOString().slice(0, 10)), weight: 4 },
  { arbitrary: fc.constantFrom('2026-02-30', '2026-1-1', '99999-01-01', '0000-00-00', '2024-02-29', '2023-02-29', '20260101'), weight: 2 },
  { arbitrary: hostileValue, weight: 2 },
);

export const decimalLike: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom('1', '1.5', '100', '0', '0.0001', '2.25'), weight: 3 },
  {
    arbitrary: fc.constantFrom('1.', `1.${'0'.repeat(10_000)}`, '-1', '1e5', '0x10', '1,5', ' 1', 'NaN', '1.23456', '99999999999999999999', '.5', '+1', '１'),
    weight: 3,
  },
  { arbitrary: hostileValue, weight: 2 },
);

export const intLike = (min: number, max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: fc.integer({ min, max }), weight: 5 },
    { arbitrary: fc.constantFrom(min - 1, max + 1), weight: 2 },
    { arbitrary: overflowingNumber, weight: 2 },
    { arbitrary: hostileValue, weight: 2 },
  );

export const textLike: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 30 }), weight: 4 },
  { arbitrary: anyString, weight: 4 },
  { arbitrary: hostileValue, weight: 2 },
);

/** Header values Node's client can send (Latin-1 without controls): the server's limits are the subject, not the client's. */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}
