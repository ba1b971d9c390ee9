import fc from 'fast-check';
import {
  decimalTextProblem,
  freeTextProblem,
  identifierProblem,
  MAX_DECIMAL_TEXT_LENGTH,
  nameProblem,
  TEXT_LIMITS,
  trimText,
} from './text-rules';

const ID_MAX = TEXT_LIMITS.transactionId;
const NAME_MAX = TEXT_LIMITS.name;

/** Every character Unicode calls White_Space, and the zero-width ones that render as nothing. */
const SPACES = [
  ...'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
];
/** Characters that draw nothing without being spaces: format characters, fillers, the braille blank. */
const INVISIBLE_INSIDE = ['\u00ad', '\u180e', '\u200e', '\u200f', '\u2061', '\u3164', '\u115f', '\uffa0', '\u2800', '\u034f'];
const CONTROLS = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)),
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any sequence of UTF-16 units: paired and unpaired surrogates, controls, everything. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
/** Well-formed text of any code points, astral ones included. */
const anyCodePoints = fc.string({ unit: 'binary' });
const visible = fc.constantFrom('a', 'Z', '7', 'é', '\u{1F37A}', '李', '#', '-');
/** Printable text: visible characters with spaces inside, never at the ends. */
const printable = fc
  .tuple(visible, fc.array(fc.oneof(visible, fc.constantFrom(' ', '\u00a0', 'b/c:d')), { maxLength: 40 }), visible)
  .map(([first, middle, last]) => first + middle.join('') + last);
const withLoneSurrogate = fc
  .tuple(anyUtf16, loneSurrogate, anyUtf16)
  .filter(([before, , after]) => !/[\ud800-\udbff]$/.test(before) && !/^[\udc00-\udfff]/.test(after))
  .map(([before, s, after]) => before + s + after);

describe('identifierProblem', () => {
  it('refuses any text with an unpaired surrogate, whatever surrounds it', () => {
    fc.assert(fc.property(withLoneSurrogate, (text) => identifierProblem(text, 10_000) === 'lone-surrogate'));
  });

  it('accepts printable text, and accepting never implies a change: the id is used exactly as sent', () => {
    fc.assert(
      fc.property(printable, (text) => {
        expect(identifierProblem(text, 1_000)).toBeNull();
        expect(trimText(text)).toBe(text);
      }),
    );
  });

  it('refuses whitespace or an invisible character of any kind at either end', () => {
    fc.assert(
      fc.property(printable, fc.constantFrom(...SPACES), fc.boolean(), (text, space, atStart) => {
        const id = atStart ? space + text : text + space;
        expect(identifierProblem(id, 1_000)).toMatch(/^(edge-space|control)$/);
      }),
    );
    expect(identifierProblem(' ', ID_MAX)).toBe('edge-space');
    expect(identifierProblem(' x', ID_MAX)).toBe('edge-space');
    expect(identifierProblem('x\u00a0', ID_MAX)).toBe('edge-space');
    expect(identifierProblem('\ufeffx', ID_MAX)).toBe('edge-space');
    expect(identifierProblem('x', ID_MAX)).toBeNull();
  });

  it('refuses every C0 and C1 control and DEL, NUL included, anywhere', () => {
    for (const control of CONTROLS) {
      expect(identifierProblem(`a${control}b`, ID_MAX)).toBe('control');
    }
    expect(identifierProblem('a\u2028b', ID_MAX)).toBe('control');
  });

  it('counts the limit in code points: 128 emoji pass, 129 do not; empty is refused', () => {
    expect(identifierProblem('\u{1F37A}'.repeat(ID_MAX), ID_MAX)).toBeNull();
    expect(identifierProblem('\u{1F37A}'.repeat(ID_MAX + 1), ID_MAX)).toBe('too-long');
    expect(identifierProblem('k'.repeat(ID_MAX + 1), ID_MAX)).toBe('too-long');
    expect(identifierProblem('', ID_MAX)).toBe('empty');
    expect(identifierProblem(42, ID_MAX)).toBe('not-text');
  });

  it('accepts exactly the well-formed texts with no control, no invisible edge and within the limit', () => {
    fc.assert(
      fc.property(fc.oneof(anyUtf16, anyCodePoints), (text) => {
        const points = [...text];
        const expected =
          text.length > 0 &&
          points.length <= ID_MAX &&
          !points.some((p) => /^[\ud800-\udfff]$/.test(p) || CONTROLS.includes(p) || p === '\u2028' || p === '\u2029') &&
          !SPACES.includes(points[0]) &&
          !SPACES.includes(points[points.length - 1]);
        expect(identifierProblem(text, ID_MAX) === null).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('names', () => {
  const asTheEdgeHandsItOn = (text: string) => nameProblem(trimText(text), NAME_MAX);

  it('refuses whitespace-only names in every Unicode space, alone or mixed, as blank or empty', () => {
    for (const space of [...SPACES, ...INVISIBLE_INSIDE]) {
      expect({ space, problem: asTheEdgeHandsItOn(space) }).toEqual({ space, problem: expect.stringMatching(/^(empty|blank)$/) });
    }
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SPACES, ...INVISIBLE_INSIDE), { minLength: 1, maxLength: 30 }), (chars) => {
        // A control (a line break) between two invisible characters is inside the name, and refused as such.
        expect(asTheEdgeHandsItOn(chars.join(''))).toMatch(/^(empty|blank|control)$/);
      }),
    );
  });

  it('trims invisible edges, and the trimmed name is valid and trimmed again unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SPACES)),
        printable,
        fc.array(fc.constantFrom(...SPACES)),
        (before, text, after) => {
          const trimmed = trimText(before.join('') + text + after.join(''));
          expect(trimmed).toBe(text);
          expect(nameProblem(trimmed, NAME_MAX)).toBeNull();
          expect(trimText(trimmed)).toBe(trimmed);
        },
      ),
    );
  });

  it('refuses an untrimmed name: a path that skipped the edge cannot store one', () => {
    expect(nameProblem(' Ada', NAME_MAX)).toBe('edge-space');
    expect(nameProblem('Ada\ufeff', NAME_MAX)).toBe('edge-space');
  });

  it('refuses controls and line breaks inside, lone surrogates anywhere, and more than the limit after trimming', () => {
    expect(asTheEdgeHandsItOn('Ada\u0000Lovelace')).toBe('control');
    expect(asTheEdgeHandsItOn('Ada\nLovelace')).toBe('control');
    expect(asTheEdgeHandsItOn('Ada\u2029Lovelace')).toBe('control');
    fc.assert(fc.property(withLoneSurrogate, (text) => asTheEdgeHandsItOn(text) === 'lone-surrogate'));
    expect(asTheEdgeHandsItOn(` ${'n'.repeat(NAME_MAX)} `)).toBeNull();
    expect(asTheEdgeHandsItOn('n'.repeat(NAME_MAX + 1))).toBe('too-long');
  });

  it('keeps what is meaningful: inner spaces, emoji with their variation selector and joiners', () => {
    for (const name of ['Ada Lovelace', 'Love \u2764\ufe0f', '\u{1F468}\u200d\u{1F469}\u200d\u{1F467} family', 'Zoë']) {
      expect(trimText(name)).toBe(name);
      expect(nameProblem(name, NAME_MAX)).toBeNull();
    }
  });

  it('trims in linear time: a long run of inner spaces is not a quadratic backtrack', () => {
    const text = `a${' '.repeat(200_000)}b${' '.repeat(200_000)}`;
    const started = Date.now();
    expect(trimText(text)).toBe(text.trimEnd());
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('free text', () => {
  it('allows tabs and line breaks inside, and refuses other controls and blank text', () => {
    expect(freeTextProblem('line one\nline two\r\n\tindented', 1_000)).toBeNull();
    expect(freeTextProblem('bell\u0007', 1_000)).toBe('control');
    expect(freeTextProblem('nul\u0000', 1_000)).toBe('control');
    expect(freeTextProblem(trimText(' \n\t\u00a0'), 1_000)).toBe('empty');
    expect(freeTextProblem('\u200b', 1_000)).toBe('blank');
  });
});

describe('decimalTextProblem', () => {
  it(`bounds decimal text at ${MAX_DECIMAL_TEXT_LENGTH} characters before any parsing`, () => {
    expect(decimalTextProblem(`1.${'0'.repeat(10_000)}`)).toBe('too-long');
    expect(decimalTextProblem('9'.repeat(MAX_DECIMAL_TEXT_LENGTH))).toBeNull();
    expect(decimalTextProblem('9'.repeat(MAX_DECIMAL_TEXT_LENGTH + 1))).toBe('too-long');
    expect(decimalTextProblem(1.5)).toBe('not-text');
  });
});
