import fc from 'fast-check';
import { isIanaTimeZone, isLocalDate, localDateAt } from './local-date';

const at = (iso: string) => new Date(iso);

describe('localDateAt', () => {
  it('is the UTC date in UTC', () => {
    expect(localDateAt(at('2026-11-24T00:00:00Z'), 'UTC')).toBe('2026-11-24');
    expect(localDateAt(at('2026-11-24T23:59:59.999Z'), 'UTC')).toBe('2026-11-24');
  });

  describe('America/Chicago around the daylight saving changes', () => {
    const tz = 'America/Chicago';

    it.each([
      // Spring forward on 2026-03-08 at 02:00 local: CST (UTC-6) before, CDT (UTC-5) after.
      ['2026-03-08T05:59:59Z', '2026-03-07'], // 23:59:59 CST
      ['2026-03-08T06:00:00Z', '2026-03-08'], // 00:00 CST
      ['2026-03-08T08:00:00Z', '2026-03-08'], // 03:00 CDT: 02:00 never happened
      ['2026-03-09T04:59:59Z', '2026-03-08'], // 23:59:59 CDT
      ['2026-03-09T05:00:00Z', '2026-03-09'], // 00:00 CDT
      // Fall back on 2026-11-01 at 02:00 local: CDT (UTC-5) before, CST (UTC-6) after.
      ['2026-11-01T04:59:59Z', '2026-10-31'], // 23:59:59 CDT
      ['2026-11-01T05:00:00Z', '2026-11-01'], // 00:00 CDT
      ['2026-11-01T05:30:00Z', '2026-11-01'], // 00:30 CDT
      ['2026-11-01T06:30:00Z', '2026-11-01'], // 01:30 CDT, the first time
      ['2026-11-01T07:30:00Z', '2026-11-01'], // 01:30 CST, the second time
      ['2026-11-02T05:00:00Z', '2026-11-01'], // 23:00 CST: a CDT offset would say Nov 2
      ['2026-11-02T05:59:00Z', '2026-11-01'], // 23:59 CST
      ['2026-11-02T05:59:59.999Z', '2026-11-01'],
      ['2026-11-02T06:00:00Z', '2026-11-02'], // 00:00 CST
    ])('%s is %s in Chicago', (instant, date) => {
      expect(localDateAt(at(instant), tz)).toBe(date);
    });
  });

  it('is a day ahead of UTC in Pacific/Kiritimati (UTC+14)', () => {
    expect(localDateAt(at('2026-11-24T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-11-25');
    expect(localDateAt(at('2026-11-24T09:59:59Z'), 'Pacific/Kiritimati')).toBe('2026-11-24');
    expect(localDateAt(at('2026-12-31T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2027-01-01');
  });

  it('is a day behind UTC in Pacific/Pago_Pago (UTC-11)', () => {
    expect(localDateAt(at('2026-11-25T10:59:59Z'), 'Pacific/Pago_Pago')).toBe('2026-11-24');
    expect(localDateAt(at('2026-11-25T11:00:00Z'), 'Pacific/Pago_Pago')).toBe('2026-11-25');
    expect(localDateAt(at('2027-01-01T05:00:00Z'), 'Pacific/Pago_Pago')).toBe('2026-12-31');
  });

  it('follows the half-hour offset of Asia/Kolkata (UTC+5:30)', () => {
    expect(localDateAt(at('2026-11-24T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-11-24');
    expect(localDateAt(at('2026-11-24T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-11-25');
  });

  it('answers like a fresh formatter for any sequence of instants, repeated seconds and day boundaries included', () => {
    // Each zone with its UTC offset on 2026-11-24 (hours east of UTC).
    const zones: Array<[string, number]> = [
      ['UTC', 0],
      ['America/Chicago', -6],
      ['Asia/Kolkata', 5.5],
      ['Pacific/Kiritimati', 14],
      ['Pacific/Pago_Pago', -11],
      ['Australia/Lord_Howe', 11],
    ];
    const fresh = (instant: Date, timeZone: string) => {
      const p = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(instant)
        .reduce<Record<string, string>>((o, part) => ({ ...o, [part.type]: part.value }), {});
      return `${p.year.padStart(4, '0')}-${p.month}-${p.day}`;
    };
    // Calls close to the zone's own local midnight, a few milliseconds to a second either side, mixed with
    // anywhere in four days: a cache that carried a date across midnight would be caught.
    const midnightUtc = Date.UTC(2026, 10, 24);
    const call = fc.oneof(
      fc.tuple(
        fc.integer({ min: -86_400_000 * 2, max: 86_400_000 * 2 }).map((ms) => new Date(midnightUtc + ms)),
        fc.constantFrom(...zones.map(([zone]) => zone)),
      ),
      fc.tuple(fc.constantFrom(...zones), fc.constantFrom(-1000, -1, 0, 1, 999)).map(([[zone, hours], ms]) => {
        const when = new Date(midnightUtc - hours * 3_600_000 + ms);
        return [when, zone] as [Date, string];
      }),
    );
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 30 }), (calls) => {
        for (const [when, zone] of calls) expect(localDateAt(when, zone)).toBe(fresh(when, zone));
      }),
    );
  });

  it('gives the same answer when the cached formatter is reused', () => {
    const tz = 'Asia/Kolkata';
    const first = localDateAt(at('2026-11-24T18:30:00Z'), tz);
    const second = localDateAt(at('2026-11-24T18:29:00Z'), tz);
    expect([first, second]).toEqual(['2026-11-25', '2026-11-24']);
  });

  it('always yields a valid YYYY-MM-DD within a day of the UTC date (property)', () => {
    const zones = ['UTC', 'America/Chicago', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata', 'Europe/Berlin'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (instant, tz) => {
          const local = localDateAt(instant, tz);
          expect(isLocalDate(local)).toBe(true);
          const diffDays = (Date.parse(`${local}T00:00:00Z`) - Date.parse(`${instant.toISOString().slice(0, 10)}T00:00:00Z`)) / 86_400_000;
          expect([-1, 0, 1]).toContain(diffDays);
          if (tz === 'UTC') expect(local).toBe(instant.toISOString().slice(0, 10));
        },
      ),
    );
  });
});

describe('isIanaTimeZone', () => {
  it.each(['UTC', 'America/Chicago', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Pacific/Kiritimati', 'Asia/Kolkata'])(
    'accepts %p',
    (name) => {
      expect(isIanaTimeZone(name)).toBe(true);
    },
  );

  it.each(['', 'PST', 'CST', '+01:00', '-05:00', 'Mars/Olympus', 'America/Nowhere', 'America/', '/Chicago', ' America/Chicago'])(
    'refuses %p',
    (name) => {
      expect(isIanaTimeZone(name)).toBe(false);
    },
  );
});

describe('isLocalDate', () => {
  it.each(['2026-11-24', '2024-02-29', '2026-02-28', '2026-12-31', '2026-01-01', '2000-02-29'])('accepts %p', (text) => {
    expect(isLocalDate(text)).toBe(true);
  });

  it.each([
    '2026-02-30',
    '2026-13-01',
    '2025-02-29',
    '1900-02-29', // not a leap year: divisible by 100
    '2026-04-31',
    '2026-00-10',
    '2026-01-00',
    '0000-01-01',
    '2026-1-01',
    '2026-11-24T00:00:00Z',
    '26-11-24',
    '',
  ])('refuses %p', (text) => {
    expect(isLocalDate(text)).toBe(false);
  });

  it('accepts exactly the dates that exist (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
        const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
        expect(isLocalDate(text)).toBe(d <= days);
      }),
    );
  });
});
