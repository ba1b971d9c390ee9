import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { ValidateOnlyPipe } from './validation.pipe';

class FlatInput {
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

class RangeInput {
  @IsInt()
  @Min(0)
  from!: number;
}

class NestedArgs {
  @IsOptional()
  @ValidateNested()
  @Type(() => RangeInput)
  range?: RangeInput | null;
}

class NoRules {
  anything?: string;
}

const args = (metatype: unknown) => ({ type: 'body' as const, metatype: metatype as never, data: 'input' });

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(ErrorCode.BAD_USER_INPUT);
  return error as DomainError;
}

describe('ValidateOnlyPipe', () => {
  const pipe = new ValidateOnlyPipe();

  it('hands back the very value it was given when it is valid', async () => {
    const value = { name: 'x', quantity: 2 };
    await expect(pipe.transform(value, args(FlatInput))).resolves.toBe(value);
  });

  it('names every offending field of a flat class', async () => {
    const error = await refusal(pipe.transform({ name: 7, quantity: 0 }, args(FlatInput)));
    expect(error.message).toMatch(/name must be a string/);
    expect(error.message).toMatch(/quantity must not be less than 1/);
  });

  it('validates nested input classes, with the path of the offending field', async () => {
    const error = await refusal(pipe.transform({ range: { from: -1 } }, args(NestedArgs)));
    expect(error.message).toMatch(/range\.from must not be less than 0/);
    const value = { range: { from: 3 } };
    await expect(pipe.transform(value, args(NestedArgs))).resolves.toBe(value);
  });

  it('reports the required fields of an absent argument', async () => {
    const error = await refusal(pipe.transform(undefined, args(FlatInput)));
    expect(error.message).toMatch(/name must be a string/);
  });

  it('refuses a value that is not an object where a class with rules is expected', async () => {
    await refusal(pipe.transform('text', args(FlatInput)));
  });

  it('leaves alone scalars, classes without rules and custom parameters', async () => {
    const instant = new Date(0);
    await expect(pipe.transform(instant, args(Date))).resolves.toBe(instant);
    await expect(pipe.transform('x', args(String))).resolves.toBe('x');
    const loose = { anything: 5 };
    await expect(pipe.transform(loose, args(NoRules))).resolves.toBe(loose);
    const principal = { role: 'POS' };
    await expect(pipe.transform(principal, { type: 'custom', metatype: FlatInput, data: undefined })).resolves.toBe(principal);
  });
});
