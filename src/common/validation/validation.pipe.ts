import { ValidationError, ValidationPipe } from '@nestjs/common';
import { badInput } from '../errors/domain-error';

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((m) => (prefix ? `${prefix}.${m}` : m)),
    ...messages(e.children ?? [], prefix ? `${prefix}.${e.property}` : e.property),
  ]);
}

/** Input rules of every argument class; a violation is BAD_USER_INPUT naming each offending field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: false,
    forbidUnknownValues: false,
    validateCustomDecorators: false,
    stopAtFirstError: false,
    exceptionFactory: (errors) => badInput(`Invalid input: ${messages(errors).join('; ')}`),
  });
}
