import { arrayKindOfType, binaryArray } from './binary-array';

/** Big-endian int32 words as hex, for writing expected headers readably. */
const words = (...values: number[]): string => values.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join('');

describe('binaryArray', () => {
  it('writes a uuid array as array_recv reads it: header, one dimension, length-prefixed 16-byte elements', () => {
    const a = '0189b3c4-5d6e-7f80-9a1b-2c3d4e5f6071';
    const b = 'FFFFFFFF-0000-4000-8000-00000000000A';
    expect(binaryArray('uuid', [a, b]).toString('hex')).toBe(
      words(1, 0, 2950, 2, 1) +
        words(16) + '0189b3c45d6e7f809a1b2c3d4e5f6071' +
        words(16) + 'ffffffff00004000800000000000000a',
    );
  });

  it('marks an array with a null and writes the null as length -1 without bytes', () => {
    expect(binaryArray('int4', [7, null, -2]).toString('hex')).toBe(
      words(1, 1, 23, 3, 1) + words(4, 7) + words(-1) + words(4, -2),
    );
    expect(binaryArray('text', [undefined]).toString('hex')).toBe(words(1, 1, 25, 1, 1) + words(-1));
  });

  it('writes an empty array with no dimensions at all', () => {
    expect(binaryArray('uuid', []).toString('hex')).toBe(words(0, 0, 2950));
    expect(binaryArray('int8', []).toString('hex')).toBe(words(0, 0, 20));
  });

  it('writes bytea and text elements as their bytes (text in UTF-8)', () => {
    expect(binaryArray('bytea', [Buffer.from([0, 255]), Buffer.alloc(0)]).toString('hex')).toBe(
      words(1, 0, 17, 2, 1) + words(2) + '00ff' + words(0),
    );
    expect(binaryArray('text', ['é😀']).toString('hex')).toBe(words(1, 0, 25, 1, 1) + words(6) + 'c3a9f09f9880');
  });

  it('takes int4 values within int4 only', () => {
    expect(binaryArray('int4', [-(2 ** 31), 2 ** 31 - 1]).toString('hex')).toBe(
      words(1, 0, 23, 2, 1) + words(4, -(2 ** 31)) + words(4, 2 ** 31 - 1),
    );
    for (const bad of [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Infinity]) {
      expect(() => binaryArray('int4', [bad])).toThrow(RangeError);
    }
    expect(() => binaryArray('int4', ['1' as unknown as number])).toThrow(TypeError);
  });

  it('takes int8 values as bigint, decimal string or safe integer, within int8 only', () => {
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    const hex = (n: bigint) => BigInt.asUintN(64, n).toString(16).padStart(16, '0');
    expect(binaryArray('int8', [min, max.toString(), -1, '0']).toString('hex')).toBe(
      words(1, 0, 20, 4, 1) + words(8) + hex(min) + words(8) + hex(max) + words(8) + hex(-1n) + words(8) + hex(0n),
    );
    for (const bad of [max + 1n, min - 1n, (max + 1n).toString(), (min - 1n).toString(), 2 ** 53, 0.5, '1e3', ' 1', '', '0x1']) {
      expect(() => binaryArray('int8', [bad])).toThrow(RangeError);
    }
    expect(() => binaryArray('int8', [{} as unknown as bigint])).toThrow(TypeError);
  });

  it('takes the 8-4-4-4-12 hex form of a UUID in either case, and nothing else', () => {
    expect(() => binaryArray('uuid', ['ABCDEF01-2345-6789-ABCD-EF0123456789', 'abcdef01-2345-6789-abcd-ef0123456789'])).not.toThrow();
    const refused = [
      '',
      'abcdef0123456789abcdef0123456789',
      '{abcdef01-2345-6789-abcd-ef0123456789}',
      'abcdef01-2345-6789-abcd-ef012345678',
      'abcdef01-2345-6789-abcd-ef01234567890',
      'abcdef0-12345-6789-abcd-ef0123456789',
      'abcdef01-2345-6789-abcd-ef012345678g',
      'abcdef01_2345_6789_abcd_ef0123456789',
      'abcdef01-2345-6789-abcd-ef012345678\u0669',
      ' bcdef01-2345-6789-abcd-ef0123456789',
    ];
    for (const bad of refused) {
      expect(() => binaryArray('uuid', [bad])).toThrow(TypeError);
    }
    expect(() => binaryArray('uuid', [42 as unknown as string])).toThrow(TypeError);
  });

  it('names the element it refuses, without echoing the value', () => {
    expect(() => binaryArray('uuid', ['abcdef01-2345-6789-abcd-ef0123456789', 'secret-value'])).toThrow(
      /^uuid\[\] element 1: a string of length 12 is not a UUID/,
    );
    expect(() => binaryArray('uuid', ['secret-value'])).not.toThrow(/secret/);
  });

  it('refuses a value of the wrong kind for bytea and text', () => {
    expect(() => binaryArray('bytea', ['00ff' as unknown as Buffer])).toThrow(TypeError);
    expect(() => binaryArray('text', [1 as unknown as string])).toThrow(TypeError);
  });
});

describe('arrayKindOfType', () => {
  it('maps the array type names the catalog gives to kinds, and others to null', () => {
    expect(['uuid[]', 'bytea[]', 'integer[]', 'bigint[]', 'text[]'].map(arrayKindOfType)).toEqual(['uuid', 'bytea', 'int4', 'int8', 'text']);
    expect(arrayKindOfType('timestamp with time zone[]')).toBeNull();
    expect(arrayKindOfType('numeric[]')).toBeNull();
    expect(arrayKindOfType('constructor')).toBeNull();
  });
});
