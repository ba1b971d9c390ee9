import 'reflect-metadata';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { IsPoints, MAX_POINTS_PER_MOVEMENT, pointsProblem } from './points-amount';

class SpendInput {
  @IsPoints('spend')
  points!: unknown;
}

class AdjustInput {
  @IsPoints('adjust')
  points!: unknown;
}

const problems = (input: object) => validateSync(input).flatMap((e) => Object.values(e.constraints ?? {}));

describe('pointsProblem', () => {
  it.each<[unknown, ReturnType<typeof pointsProblem>]>([
    [1n, null],
    [100n, null],
    [MAX_POINTS_PER_MOVEMENT, null],
    [MAX_POINTS_PER_MOVEMENT + 1n, 'too-large'],
    [0n, 'below-one'],
    [-1n, 'below-one'],
    [-MAX_POINTS_PER_MOVEMENT, 'below-one'],
    [1, 'not-whole'],
    ['1', 'not-whole'],
    [null, 'not-whole'],
  ])('spends %p: %p', (value, problem) => {
    expect(pointsProblem(value, 'spend')).toBe(problem);
  });

  it.each<[unknown, ReturnType<typeof pointsProblem>]>([
    [1n, null],
    [-1n, null],
    [MAX_POINTS_PER_MOVEMENT, null],
    [-MAX_POINTS_PER_MOVEMENT, null],
    [MAX_POINTS_PER_MOVEMENT + 1n, 'too-large'],
    [-MAX_POINTS_PER_MOVEMENT - 1n, 'too-large'],
    [0n, 'zero'],
    [-0n, 'zero'],
    [5, 'not-whole'],
  ])('adjusts by %p: %p', (value, problem) => {
    expect(pointsProblem(value, 'adjust')).toBe(problem);
  });

  it('accepts exactly the non-zero values within the bound (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), (value) => {
        const within = value !== 0n && value >= -MAX_POINTS_PER_MOVEMENT && value <= MAX_POINTS_PER_MOVEMENT;
        expect(pointsProblem(value, 'adjust') === null).toBe(within);
        expect(pointsProblem(value, 'spend') === null).toBe(within && value > 0n);
      }),
    );
  });
});

describe('IsPoints', () => {
  it('names the field and the problem', () => {
    expect(problems(Object.assign(new SpendInput(), { points: 0n }))).toEqual(['points must be at least 1']);
    expect(problems(Object.assign(new SpendInput(), { points: 10n ** 16n }))).toEqual([
      'points must be at most 1000000000000000',
    ]);
    expect(problems(Object.assign(new AdjustInput(), { points: 0n }))).toEqual(['points must not be 0']);
    expect(problems(Object.assign(new AdjustInput(), { points: -(10n ** 16n) }))).toEqual([
      'points must be between -1000000000000000 and 1000000000000000',
    ]);
    expect(problems(Object.assign(new AdjustInput(), { points: 1.5 }))).toEqual(['points must be a whole number']);
    expect(problems(Object.assign(new AdjustInput(), { points: -7n }))).toEqual([]);
  });
});
