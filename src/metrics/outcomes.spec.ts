import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { errorOutcome, graphqlOutcome } from './outcomes';

describe('errorOutcome', () => {
  it("is a domain error's own code", () => {
    expect(errorOutcome(new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'x'))).toBe('CUSTOMER_NOT_FOUND');
    expect(errorOutcome(new DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, 'x'))).toBe('IDEMPOTENCY_CONFLICT');
    expect(errorOutcome(new DomainError(ErrorCode.BAD_USER_INPUT, 'x'))).toBe('BAD_USER_INPUT');
  });

  it('is SERVICE_UNAVAILABLE for a database that did not answer, as the client is told', () => {
    expect(errorOutcome(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(errorOutcome(new Error('Connection terminated unexpectedly'))).toBe('SERVICE_UNAVAILABLE');
  });

  it('is INTERNAL_SERVER_ERROR for anything else', () => {
    expect(errorOutcome(new TypeError('undefined is not a function'))).toBe('INTERNAL_SERVER_ERROR');
    expect(errorOutcome(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('INTERNAL_SERVER_ERROR');
    expect(errorOutcome('a string')).toBe('INTERNAL_SERVER_ERROR');
    expect(errorOutcome(undefined)).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('graphqlOutcome', () => {
  const withCode = (...codes: unknown[]) => codes.map((code) => ({ message: 'm', extensions: { code } }));

  it('is ok without errors', () => {
    expect(graphqlOutcome(undefined)).toBe('ok');
    expect(graphqlOutcome(null)).toBe('ok');
    expect(graphqlOutcome([])).toBe('ok');
  });

  it("is the first error's code, for every code of the service and the three of the GraphQL layer", () => {
    for (const code of Object.values(ErrorCode)) expect(graphqlOutcome(withCode(code, 'BAD_REQUEST'))).toBe(code);
    for (const code of ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']) {
      expect(graphqlOutcome(withCode(code))).toBe(code);
    }
  });

  it("files Apollo's rarer refusals of a request under BAD_REQUEST", () => {
    expect(graphqlOutcome(withCode('OPERATION_RESOLUTION_FAILURE'))).toBe('BAD_REQUEST');
    expect(graphqlOutcome(withCode('PERSISTED_QUERY_NOT_SUPPORTED'))).toBe('BAD_REQUEST');
    expect(graphqlOutcome(withCode('PERSISTED_QUERY_NOT_FOUND'))).toBe('BAD_REQUEST');
  });

  it('is INTERNAL_SERVER_ERROR for a code outside the set, or none: no free text reaches a label', () => {
    expect(graphqlOutcome(withCode('SOMETHING_NEW'))).toBe('INTERNAL_SERVER_ERROR');
    expect(graphqlOutcome(withCode('0191a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'))).toBe('INTERNAL_SERVER_ERROR');
    expect(graphqlOutcome(withCode(42))).toBe('INTERNAL_SERVER_ERROR');
    expect(graphqlOutcome([{ message: 'no extensions' }])).toBe('INTERNAL_SERVER_ERROR');
  });
});
