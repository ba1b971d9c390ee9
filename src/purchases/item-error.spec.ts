import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { itemErrorOf } from './item-error';

describe('itemErrorOf', () => {
  it("keeps a domain error's code and message", () => {
    expect(itemErrorOf(new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'Customer not found'))).toEqual({
      code: 'CUSTOMER_NOT_FOUND',
      message: 'Customer not found',
    });
  });

  it('never shows the cause of a failure of ours', () => {
    expect(itemErrorOf(new Error('relation "x" does not exist'))).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    expect(itemErrorOf(new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'secret'))).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal server error',
    });
  });

  it('answers a database that did not answer as SERVICE_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(itemErrorOf(refused)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is temporarily unavailable; retry the same request shortly',
    });
  });
});
