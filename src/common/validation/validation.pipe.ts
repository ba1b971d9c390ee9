import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { badInput } from '../errors/domain-error';

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m)),
    ...messages(e.children ?? [], prefix ? `${prefix}.${e.property}` : e.property),
  ]);
}

/**
 * Validates only: the resolver gets the value exactly as GraphQL parsed it. Nest's pipe would otherwise hand back
 * class-transformer's plain copy, which strips the prototype of a scalar's parsed value (a DateTime's Instant).
 */
class ValidateOnlyPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    await super.transform(value, metadata);
    return value;
  }
}

/** Input rules of every argument class; a violation is BAD_USER_INPUT naming each offending field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidateOnlyPipe({
    whitelist: false,
    forbidUnknownValues: false,
    validateCustomDecorators: false,
    stopAtFirstError: false,
    exceptionFactory: (errors) => badInput(`Invalid input: ${messages(errors).join('; ')}`),
  });
}
