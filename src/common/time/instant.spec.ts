import fc from 'fast-check';
import { Instant, isCalendarDate, parseRfc3339 } from './instant';

const micros = (text: string): bigint => {
  const instant = parseRfc3339(text);
  if (instant === null) throw new Error(`refused: ${text}`);
  return instant.epochMicros;
};

/** Epoch microseconds of a millisecond-precision ISO text, computed through Date. */
const fromDate = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('parseRfc3339', () => {
  it('reads a UTC instant', () => {
    expect(micros('2026-11-24T18:30:00Z')).toBe(fromDate('2026-11-24T18:30:00Z'));
    expect(micros('1970-01-01T00:00:00Z')).toBe(0n);
    expect(micros('1970-01-01T00:00:01z')).toBe(1_000_000n);
  });

  it('requires an offset', () => {
    expect(parseRfc3339('2026-11-24T18:30:00')).toBeNull();
    expect(parseRfc3339('2026-11-24T18:30:00.123456')).toBeNull();
    expect(parseRfc3339('2026-11-24')).toBeNull();
  });

  it.each([
    ['2026-11-24T18:30:00-08:00', '2026-11-25T02:30:00Z'],
    ['2026-11-25T08:00:00+05:30', '2026-11-25T02:30:00Z'],
    ['2026-11-25T02:30:00+00:00', '2026-11-25T02:30:00Z'],
    ['2026-11-25T02:30:00-00:00', '2026-11-25T02:30:00Z'],
    ['2026-11-25T16:30:00+14:00', '2026-11-25T02:30:00Z'],
    ['2026-11-24 15:30:00-11:00', '2026-11-25T02:30:00Z'],
    ['2026-11-24t15:30:00.5-11:00', '2026-11-25T02:30:00.500Z'],
  ])('reads %s as the same instant as %s', (a, b) => {
    expect(micros(a)).toBe(micros(b));
    expect(micros(a)).toBe(fromDate(b));
  });

  it('keeps fractional seconds to the microsecond', () => {
    const base = fromDate('2026-11-24T18:30:00Z');
    expect(micros('2026-11-24T18:30:00.1Z')).toBe(base + 100_000n);
    expect(micros('2026-11-24T18:30:00.123Z')).toBe(base + 123_000n);
    expect(micros('2026-11-24T18:30:00.123456Z')).toBe(base + 123_456n);
    expect(micros('2026-11-24T18:30:00.000001Z')).toBe(base + 1n);
  });

  it('drops digits beyond the microsecond (no rounding)', () => {
    const base = fromDate('2026-11-24T18:30:00Z');
    expect(micros('2026-11-24T18:30:00.1234567Z')).toBe(base + 123_456n);
    expect(micros('2026-11-24T18:30:00.999999999Z')).toBe(base + 999_999n);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T23:60:00Z',
    '2026-11-24T23:59:60Z',
    '2026-11-24T18:30:00+24:00',
    '2026-11-24T18:30:00+05:60',
    '0000-01-01T00:00:00Z',
  ])('refuses the impossible %s', (text) => {
    expect(parseRfc3339(text)).toBeNull();
  });

  it.each([
    '',
    'now',
    '2026-11-24T18:30Z',
    '2026-11-24T18:30:00.Z',
    '2026-11-24T18:30:00+0100',
    '2026-11-24T18:30:00+01',
    '2026-11-24T18:30:00 Z',
    '2026-11-24T18:30:00ZZ',
    ' 2026-11-24T18:30:00Z',
    '+2026-11-24T18:30:00Z',
    '2026-11-24T18:30:00.1234567890Z',
    '1732473000',
  ])('refuses the malformed %p', (text) => {
    expect(parseRfc3339(text)).toBeNull();
  });

  it('accepts a leap day', () => {
    expect(micros('2024-02-29T12:00:00Z')).toBe(fromDate('2024-02-29T12:00:00Z'));
  });

  it('reads years before 100 as themselves, not as 19xx', () => {
    expect(micros('0050-06-01T00:00:00Z')).toBe(fromDate('0050-06-01T00:00:00Z'));
    expect(micros('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000n);
  });

  it('reads instants before 1970', () => {
    expect(micros('1969-12-31T23:59:59.999999Z')).toBe(-1n);
    expect(micros('1969-12-31T23:59:58.999500Z')).toBe(-1_000_500n);
  });
});

describe('Instant', () => {
  it('writes UTC with six fractional digits', () => {
    expect(Instant.fromEpochMicros(0n).toIsoString()).toBe('1970-01-01T00:00:00.000000Z');
    expect(parseRfc3339('2026-11-24T18:30:00.123456-08:00')!.toIsoString()).toBe('2026-11-25T02:30:00.123456Z');
    expect(parseRfc3339('2026-11-24T18:30:00.5+05:30')!.toIsoString()).toBe('2026-11-24T13:00:00.500000Z');
    expect(Instant.fromDate(new Date('2026-11-24T18:30:00.007Z')).toIsoString()).toBe('2026-11-24T18:30:00.007000Z');
  });

  it('writes instants before 1970 in the right second', () => {
    expect(Instant.fromEpochMicros(-1n).toIsoString()).toBe('1969-12-31T23:59:59.999999Z');
    expect(Instant.fromEpochMicros(-1_000_500n).toIsoString()).toBe('1969-12-31T23:59:58.999500Z');
    expect(Instant.fromEpochMicros(-1_000_000n).toIsoString()).toBe('1969-12-31T23:59:59.000000Z');
  });

  it('converts to and from Date at millisecond precision', () => {
    const date = new Date('2026-11-24T18:30:00.123Z');
    expect(Instant.fromDate(date).epochMicros).toBe(BigInt(date.getTime()) * 1000n);
    expect(Instant.fromDate(date).toDate().getTime()).toBe(date.getTime());
    expect(Instant.fromEpochMicros(1_732_473_000_123_999n).toDate().getTime()).toBe(1_732_473_000_123);
  });

  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z: the years that RFC 3339 text with 4 digits can hold.
  const anyInstant = fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }).map(Instant.fromEpochMicros);

  it('round-trips through parseRfc3339 (property)', () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const text = instant.toIsoString();
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        expect(parseRfc3339(text)?.epochMicros).toBe(instant.epochMicros);
      }),
    );
  });

  it('reads the same instant whatever offset it is written with (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 4_102_444_800_000_000n }).map(Instant.fromEpochMicros),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (instant, offsetMinutes) => {
          const utc = instant.toIsoString();
          const shifted = new Date(instant.toDate().getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const text = `${shifted}.${utc.slice(20, 26)}${offset}`;
          expect(parseRfc3339(text)?.epochMicros).toBe(instant.epochMicros);
        },
      ),
    );
  });
});

describe('isCalendarDate', () => {
  it('knows month lengths and leap years', () => {
    expect(isCalendarDate(2024, 2, 29)).toBe(true);
    expect(isCalendarDate(2025, 2, 29)).toBe(false);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
    expect(isCalendarDate(1900, 2, 29)).toBe(false);
    expect(isCalendarDate(2026, 4, 30)).toBe(true);
    expect(isCalendarDate(2026, 4, 31)).toBe(false);
    expect(isCalendarDate(2026, 12, 31)).toBe(true);
    expect(isCalendarDate(2026, 13, 1)).toBe(false);
    expect(isCalendarDate(2026, 0, 1)).toBe(false);
    expect(isCalendarDate(2026, 1, 0)).toBe(false);
    expect(isCalendarDate(0, 1, 1)).toBe(false);
  });
});
