import { Instant } from '../../common/time/instant';
import { csvCells, parseCsvHeader, parseCsvLine, parseNdjsonLine } from './import-line';

const ids = { customerId: 'c', productId: 'p' };

describe('import lines', () => {
  it('reads an NDJSON object with GraphQL types: integers, null optionals, a DateTime as an Instant', () => {
    const r = parseNdjsonLine(JSON.stringify({ transactionId: 't', ...ids, quantity: 2, unitPriceCents: null, purchasedAt: '2026-11-24T18:30:00-08:00' }));
    expect(r).toEqual({
      ok: true,
      input: { transactionId: 't', ...ids, quantity: 2, unitPriceCents: null, purchasedAt: Instant.fromDate(new Date('2026-11-25T02:30:00Z')) },
    });
  });

  it.each([
    ['{"transactionId":', /^not JSON: /],
    ['[1]', /^a JSON object is expected$/],
    [JSON.stringify({ transactionId: 't', ...ids }), /^quantity is required$/],
    [JSON.stringify({ transactionId: 1, ...ids, quantity: 1 }), /^transactionId must be a string$/],
    [JSON.stringify({ transactionId: 't', ...ids, quantity: 1.5 }), /^quantity must be a 32-bit integer$/],
    [JSON.stringify({ transactionId: 't', ...ids, quantity: 2 ** 31 }), /^quantity must be a 32-bit integer$/],
    [JSON.stringify({ transactionId: 't', ...ids, quantity: 1, purchasedAt: '2026-11-24T18:30:00' }), /^purchasedAt must be an RFC 3339/],
    [JSON.stringify({ transactionId: 't', ...ids, quantity: 1, points: 5 }), /^unknown field points$/],
  ])('refuses %s', (line, reason) => {
    const r = parseNdjsonLine(line);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });

  it('splits CSV cells with RFC 4180 quotes', () => {
    expect(csvCells('a,"b,c","d ""e""",,f')).toEqual(['a', 'b,c', 'd "e"', '', 'f']);
    expect(csvCells('')).toEqual(['']);
    expect(csvCells('a,"b')).toBeNull();
    expect(csvCells('"a"b')).toBeNull();
  });

  it('checks the CSV header and reads a row by it; an empty optional cell is null', () => {
    expect(() => parseCsvHeader('transactionId,customerId,quantity')).toThrow('the CSV header lacks productId');
    expect(() => parseCsvHeader('transactionId,customerId,productId,quantity,qty')).toThrow('unknown column "qty"');
    const columns = parseCsvHeader('\uFEFFquantity,transactionId,customerId,productId,unitPriceCents');
    expect(parseCsvLine('3,t,c,p,', columns)).toEqual({ ok: true, input: { transactionId: 't', ...ids, quantity: 3, unitPriceCents: null } });
    expect(parseCsvLine('3,t,c,p,-0x1', columns)).toEqual({ ok: false, reason: 'unitPriceCents must be a 32-bit integer' });
    expect(parseCsvLine('3,t,c', columns)).toEqual({ ok: false, reason: '3 cells where the header has 5' });
  });
});
