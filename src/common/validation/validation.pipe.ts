import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, ValidationError } from 'class-validator';
import { badInput } from '../errors/domain-error';
import { trimFields, trimmedFieldsOf } from './trimmed-fields';

type ArgumentClass = ClassConstructor<object>;

/** What the pipe needs to know of a class, read once from class-validator's metadata. */
interface ClassRules {
  any: boolean;
  nestedInputs: boolean;
  /** The names and free text of the class, trimmed before they are validated. */
  trimmed: readonly string[];
}

/** Types GraphQL checks in full by itself: only classes carry rules of their own. */
const UNRULED_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date, BigInt]);

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m)),
    ...messages(e.children ?? [], prefix ? `${prefix}.${e.property}` : e.property),
  ]);
}

/**
 * Runs the class-validator rules of every argument class; a violation is BAD_USER_INPUT naming each offending
 * field. Besides validating, it changes one thing, the service's only rewrite of input text: the names and free
 * text of an argument (fields marked by IsNameText/IsFreeText) are trimmed of their invisible edges before they are
 * validated, and the resolver gets the trimmed text. Every other value is handed on exactly as GraphQL parsed it
 * (a class-transformer copy would lose the prototype of a scalar's parsed value, a DateTime's Instant).
 *
 * GraphQL has already coerced each argument to its schema type, so a value is absent or an object with fields
 * of their scalar types. A class with nested input classes (@ValidateNested with @Type) is built by
 * class-transformer, which makes the nested instances the rules need; a flat class only needs its prototype on a
 * copy of the value, which is far cheaper (class-transformer was the largest allocator of the purchase path).
 */
export class ValidateOnlyPipe implements PipeTransform {
  /**
   * A list argument (metatype Array) is not validated here: its items are, one by one, by the resolver that takes
   * it (validateInput), so that one bad item of a batch is that item's error rather than the whole request's.
   */
  async transform(value: unknown, { metatype, type }: ArgumentMetadata): Promise<unknown> {
    if (type === 'custom' || !metatype || UNRULED_TYPES.has(metatype)) return value;
    return validateInput(metatype as ArgumentClass, value);
  }
}

const classes = new WeakMap<ArgumentClass, ClassRules>();

/**
 * Validates one value of an argument or input class exactly as the pipe does (trimming, then the rules); throws
 * BAD_USER_INPUT naming each offending field, else answers the value to hand on.
 */
export async function validateInput(argumentClass: ArgumentClass, value: unknown): Promise<unknown> {
  const rules = rulesOf(argumentClass);
  if (!rules.any) return value;
  // An absent argument is validated as an empty object, so that its required fields are reported.
  const given = value ?? {};
  if (typeof given !== 'object') throw badInput('Invalid input: an object is expected');
  const fields = trimFields(given, rules.trimmed);
  const instance = rules.nestedInputs
    ? plainToInstance(argumentClass, fields)
    : Object.assign(Object.create(argumentClass.prototype) as object, fields);
  const errors = await validate(instance, {
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw badInput(`Invalid input: ${messages(errors).join('; ')}`);
  return fields === given ? value : fields;
}

function rulesOf(argumentClass: ArgumentClass): ClassRules {
  let rules = classes.get(argumentClass);
  if (rules === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(argumentClass, '', true, false);
    rules = {
      any: metadata.length > 0,
      nestedInputs: metadata.some((m) => m.type === 'nestedValidation'),
      trimmed: trimmedFieldsOf(argumentClass),
    };
    classes.set(argumentClass, rules);
  }
  return rules;
}

export function createValidationPipe(): ValidateOnlyPipe {
  return new ValidateOnlyPipe();
}
