import fc from 'fast-check';
import {
  AwardRate,
  awardRateFromDatabase,
  compareAwardRates,
  formatAwardRate,
  MAX_AWARD_RATE_SCALED,
  parseAwardRate,
} from './award-rate';

const rate = (scaled: bigint): AwardRate => ({ scaled });

/** Text for a scaled rate written independently of formatAwardRate, with every decimal place. */
const fullText = (scaled: bigint): string =>
  `${scaled / 10000n}.${(scaled % 10000n).toString().padStart(4, '0')}`;

const validScaled = fc.bigInt({ min: 0n, max: MAX_AWARD_RATE_SCALED });

describe('parseAwardRate', () => {
  it.each([
    ['100', 1_000_000n],
    ['1.5', 15_000n],
    ['0.0001', 1n],
    ['1.50000', 15_000n],
    ['0', 0n],
    ['0.0', 0n],
    ['007.25', 72_500n],
    ['12.3456', 123_456n],
    ['99999999.9999', MAX_AWARD_RATE_SCALED],
  ])('reads %p as %p ten-thousandths of a point per dollar', (text, scaled) => {
    expect(parseAwardRate(text)).toEqual({ scaled });
  });

  it.each(['-1', '-0.5', '-0.0001', '-100'])('refuses the negative rate %p', (text) => {
    expect(parseAwardRate(text)).toBe('negative');
  });

  it.each(['abc', '1e2', '', '1.', '.5', '1,5', '1.2.3', '0x10', 'Infinity', 'NaN', ' ', '1 000', '١٢'])(
    'refuses %p as not a decimal',
    (text) => {
      expect(parseAwardRate(text)).toBe('not-a-decimal');
    },
  );

  it.each(['0.00001', '1.23456', '100.000001'])('refuses %p for having more than 4 decimal places', (text) => {
    expect(parseAwardRate(text)).toBe('too-many-decimals');
  });

  it.each(['100000000', '100000000.0000', '100000000.5', '123456789012345678901234567890'])(
    'refuses %p as too large for numeric(12,4)',
    (text) => {
      expect(parseAwardRate(text)).toBe('too-large');
    },
  );

  it('keeps precision that binary floating point would lose', () => {
    expect(parseAwardRate('0.1')).toEqual({ scaled: 1_000n });
    expect(parseAwardRate('12345678.9999')).toEqual({ scaled: 123_456_789_999n });
  });

  it('reads the exact value of any text with at most 4 decimal places (property)', () => {
    fc.assert(
      fc.property(validScaled, fc.nat({ max: 5 }), (scaled, extraZeros) => {
        expect(parseAwardRate(fullText(scaled) + '0'.repeat(extraZeros))).toEqual({ scaled });
      }),
    );
  });

  it('never accepts a negative value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AWARD_RATE_SCALED }), (scaled) => {
        expect(parseAwardRate(`-${fullText(scaled)}`)).toBe('negative');
      }),
    );
  });
});

describe('formatAwardRate', () => {
  it.each([
    [1_000_000n, '100'],
    [15_000n, '1.5'],
    [1n, '0.0001'],
    [0n, '0'],
    [123_456n, '12.3456'],
    [100_100n, '10.01'],
    [MAX_AWARD_RATE_SCALED, '99999999.9999'],
  ])('writes %p as %p', (scaled, text) => {
    expect(formatAwardRate(rate(scaled))).toBe(text);
  });

  it('round-trips: the formatted text parses back to the same scaled value (property)', () => {
    fc.assert(
      fc.property(validScaled, (scaled) => {
        expect(parseAwardRate(formatAwardRate(rate(scaled)))).toEqual({ scaled });
      }),
    );
  });

  it('format(parse(text)) parses back to what text meant (property)', () => {
    fc.assert(
      fc.property(validScaled, fc.nat({ max: 3 }), (scaled, extraZeros) => {
        const parsed = parseAwardRate(fullText(scaled) + '0'.repeat(extraZeros));
        if (typeof parsed === 'string') throw new Error(`refused: ${parsed}`);
        const formatted = formatAwardRate(parsed);
        expect(parseAwardRate(formatted)).toEqual({ scaled });
        // The shortest spelling: no trailing zero after a decimal point, no lone point.
        expect(formatted).not.toMatch(/\.\d*0$|\.$/);
      }),
    );
  });
});

describe('compareAwardRates', () => {
  it('orders by value', () => {
    expect(compareAwardRates(rate(15_000n), rate(1_000_000n))).toBe(-1);
    expect(compareAwardRates(rate(1_000_000n), rate(15_000n))).toBe(1);
    expect(compareAwardRates(rate(15_000n), rate(15_000n))).toBe(0);
  });

  it('agrees with the order of the scaled integers and is antisymmetric (property)', () => {
    fc.assert(
      fc.property(validScaled, validScaled, (a, b) => {
        const c = compareAwardRates(rate(a), rate(b));
        expect(c).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(compareAwardRates(rate(b), rate(a))).toBe(-c || 0);
      }),
    );
  });

  it('treats different spellings of the same rate as equal', () => {
    const a = parseAwardRate('1.5') as AwardRate;
    const b = parseAwardRate('1.5000') as AwardRate;
    expect(compareAwardRates(a, b)).toBe(0);
  });
});

describe('awardRateFromDatabase', () => {
  it('reads numeric text as stored', () => {
    expect(awardRateFromDatabase('100.0000')).toEqual({ scaled: 1_000_000n });
    expect(awardRateFromDatabase('1.5000')).toEqual({ scaled: 15_000n });
  });

  it('throws on a value that cannot be a rate', () => {
    expect(() => awardRateFromDatabase('-1')).toThrow(/negative/);
    expect(() => awardRateFromDatabase('x')).toThrow(/not-a-decimal/);
  });
});
