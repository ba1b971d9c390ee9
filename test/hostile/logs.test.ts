import { errorCodes, graphqlErrors } from './support/http-client';
import { RECORD_PURCHASE, Seed, seed, validPurchase } from './support/seed';
import { ServiceProcess, startService } from './support/service-process';

/** pino's numeric level of `error`: client mistakes must be logged below it. */
const PINO_ERROR = 50;

const settle = () => new Promise((resolve) => setTimeout(resolve, 300)); // the child's log lines travel through a pipe

/** Finding 6: one request cannot write error lines by the thousand, and clients cannot forge correlation ids. */
describe('hostile input: logs (issue 9, finding 6)', () => {
  let service: ServiceProcess;
  let data: Seed;

  beforeAll(async () => {
    // info: the purchase line (with its reqId) is what shows which request id the service logs under.
    service = await startService({ LOG_LEVEL: 'info' });
    data = await seed(service);
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  it('20 aliases with a bad token write no error-level line', async () => {
    await settle();
    const mark = service.mark();
    const aliases = Array.from({ length: 20 }, (_, i) => `c${i}: customer(id: "${data.customerIds[0]}") { id }`).join('\n');
    const response = await service.gql('bad-token-bad-token-bad-token', `query {\n${aliases}\n}`);
    expect(graphqlErrors(response).length).toBeGreaterThan(0);
    expect(errorCodes(response)).not.toContain('INTERNAL_SERVER_ERROR');
    await settle();
    const errorLines = service.logsSince(mark).filter((line) => Number(line.level) >= PINO_ERROR);
    expect(errorLines).toEqual([]);
  });

  it('bad input (BAD_USER_INPUT) writes no error-level line either', async () => {
    const mark = service.mark();
    const response = await service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: { ...validPurchase(data), quantity: 0 } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    await settle();
    expect(service.logsSince(mark).filter((line) => Number(line.level) >= PINO_ERROR)).toEqual([]);
  });

  it("a client's x-request-id is not the log's request id; the answer carries the service's own", async () => {
    const forged = `forged-${Date.now()}`;
    const mark = service.mark();
    const purchase = validPurchase(data);
    const response = await service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: purchase }, { 'x-request-id': forged });
    expect(graphqlErrors(response)).toEqual([]);
    await settle();

    const own = response.headers['x-request-id'];
    expect(typeof own).toBe('string');
    expect(own).not.toBe(forged);
    const lines = service.logsSince(mark);
    expect(lines.filter((line) => line.reqId === forged)).toEqual([]);
    const purchaseLine = lines.find((line) => line.transactionId === purchase.transactionId);
    expect(purchaseLine).toBeDefined();
    expect(purchaseLine?.reqId).toBe(own);
    // Kept for correlation with the client's own logs, under a name of its own.
    if ('clientRequestId' in (purchaseLine ?? {})) expect(purchaseLine?.clientRequestId).toBe(forged);
  });
});
