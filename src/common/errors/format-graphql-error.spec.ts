import { GraphQLError } from 'graphql';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { classifyError, formatGraphqlError } from './format-graphql-error';
import { isTransientDatabaseFailure } from './transient-failure';

/** An error as graphql-js hands a resolver's failure to formatError: wrapped, with a path. */
function fromResolver(original: Error): { formatted: { message: string; path: string[] }; error: GraphQLError } {
  const error = new GraphQLError(original.message, { originalError: original, path: ['recordPurchase'] });
  return { formatted: { message: original.message, path: ['recordPurchase'] }, error };
}

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('formatGraphqlError', () => {
  it('keeps a domain error’s code, message and hints', () => {
    const { formatted, error } = fromResolver(new DomainError(ErrorCode.RATE_LIMITED, 'slow down', { retryAfterSeconds: 2 }));
    expect(formatGraphqlError(formatted, error)).toMatchObject({
      message: 'slow down',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 2 },
    });
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['a server shutting down', pgError('57P01')],
    ['a server starting up', pgError('57P03')],
    ['a statement timeout', pgError('57014')],
    ['a lock timeout', pgError('55P03')],
    ['too many connections', pgError('53300')],
    ['a wrapped driver error', Object.assign(new Error('wrapped'), { previous: pgError('08006') })],
  ])('answers %s as SERVICE_UNAVAILABLE, retryable, without internals', (_name, original) => {
    const { formatted, error } = fromResolver(original);
    expect(isTransientDatabaseFailure(original)).toBe(true);
    const answer = formatGraphqlError(formatted, error);
    expect(answer.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(answer.message).not.toMatch(/ECONN|5432|terminated|timeout|57|08006/);
    expect(classifyError(formatted, error)).toBe('unavailable');
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a constraint the code should have prevented', pgError('23514', 'new row violates check constraint "names_not_blank"')],
    ['invalid text for PostgreSQL', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
  ])('answers %s as INTERNAL_SERVER_ERROR with a fixed message', (_name, original) => {
    const { formatted, error } = fromResolver(original);
    expect(formatGraphqlError(formatted, error)).toEqual({
      message: 'Internal server error',
      path: ['recordPurchase'],
      locations: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(classifyError(formatted, error)).toBe('internal');
  });

  it('files the parser’s token limit under QUERY_TOO_COMPLEX', () => {
    const error = new GraphQLError('Syntax Error: Document contains more that 1000 tokens. Parsing aborted.');
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } };
    expect(formatGraphqlError(formatted, error).extensions).toEqual({ code: 'QUERY_TOO_COMPLEX' });
  });
});
