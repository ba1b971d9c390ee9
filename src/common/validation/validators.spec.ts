import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { IsAwardRate, IsFreeText, IsIdentifierText } from './validators';

class RateInput {
  @IsAwardRate()
  rate!: unknown;
}

class KeyInput {
  @IsIdentifierText(128)
  key!: unknown;

  @IsFreeText(100)
  note!: unknown;
}

const problems = (input: object) => validateSync(input).flatMap((e) => Object.values(e.constraints ?? {}));
const rate = (value: unknown) => problems(Object.assign(new RateInput(), { rate: value }));

describe('IsAwardRate', () => {
  it('refuses a decimal text longer than 32 characters before parsing it, even one that means 1', () => {
    expect(rate(`1.${'0'.repeat(10_000)}`)).toEqual(['rate must be at most 32 characters long']);
    expect(rate(`1.${'0'.repeat(30)}`)).toEqual([]);
    expect(rate('1.0001')).toEqual([]);
  });

  it('keeps the parser\'s own refusals', () => {
    expect(rate('-1')).toEqual(['rate must not be negative']);
    expect(rate('1.00001')).toEqual(['rate must have at most 4 decimal places']);
    expect(rate('abc')).toEqual(['rate must be a decimal number such as "100" or "1.5"']);
    expect(rate(1.5)).toEqual(['rate must be a decimal number such as "100" or "1.5"']);
  });
});

describe('text decorators', () => {
  it('name the field and the problem', () => {
    expect(problems(Object.assign(new KeyInput(), { key: 'a\u0000b', note: 'fine\nnote' }))).toEqual([
      'key must not contain control characters (NUL, tabs, line breaks...)',
    ]);
    expect(problems(Object.assign(new KeyInput(), { key: '\ud800', note: 'x\u0007' }))).toEqual([
      'key must be valid Unicode (it has an unpaired surrogate)',
      'note must not contain control characters other than tabs and line breaks',
    ]);
    expect(problems(Object.assign(new KeyInput(), { key: 7, note: 'n'.repeat(101) }))).toEqual([
      'key must be text',
      'note must be at most 100 characters long',
    ]);
  });
});
