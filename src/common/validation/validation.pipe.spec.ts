import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { validateInput, ValidateOnlyPipe } from './validation.pipe';
import { IsIdentifierText, IsNameText } from './validators';

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

class NamedInput {
  @IsNameText(10)
  name!: string;

  @IsIdentifierText(10)
  key!: string;

  at?: Date;
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

  it('trims names before validating them and hands the trimmed name on; identifiers are never trimmed', async () => {
    const at = new Date(0);
    const trimmed = (await pipe.transform({ name: '\u00a0 Ada \ufeff', key: 'k-1', at }, args(NamedInput))) as NamedInput;
    expect(trimmed).toEqual({ name: 'Ada', key: 'k-1', at });
    expect(trimmed.at).toBe(at);
    const clean = { name: 'Ada', key: 'k-1' };
    await expect(pipe.transform(clean, args(NamedInput))).resolves.toBe(clean);

    expect((await refusal(pipe.transform({ name: ' \u00a0\ufeff ', key: 'k' }, args(NamedInput)))).message).toMatch(/name must not be empty/);
    expect((await refusal(pipe.transform({ name: '\u3164\u00ad', key: 'k' }, args(NamedInput)))).message).toMatch(/name must contain a visible character/);
    // Ten characters once trimmed: the limit applies to what is stored.
    await expect(pipe.transform({ name: `  ${'n'.repeat(10)}  `, key: 'k' }, args(NamedInput))).resolves.toEqual({ name: 'n'.repeat(10), key: 'k' });
    const error = await refusal(pipe.transform({ name: 'Ada', key: ' k' }, args(NamedInput)));
    expect(error.message).toMatch(/key must not begin or end with whitespace/);
  });
});

describe('list arguments and validateInput', () => {
  it('hands a list argument on untouched, bad items included: its items are validated one by one', async () => {
    const list = [{ name: 'a', quantity: 0 }];
    await expect(new ValidateOnlyPipe().transform(list, args(Array))).resolves.toBe(list);
  });

  it('validates one item with the rules and messages of the pipe', async () => {
    const item = { name: 'a', quantity: 2 };
    await expect(validateInput(FlatInput, item)).resolves.toBe(item);
    const error = await refusal(validateInput(FlatInput, { name: 'a', quantity: 0 }));
    const fromPipe = await refusal(new ValidateOnlyPipe().transform({ name: 'a', quantity: 0 }, args(FlatInput)));
    expect(error.message).toBe(fromPipe.message);
    await expect(validateInput(NamedInput, { name: '  Ada ', key: 'k' })).resolves.toEqual({ name: 'Ada', key: 'k' });
  });
});
