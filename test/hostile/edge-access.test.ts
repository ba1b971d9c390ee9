import { errorCodes, graphqlData, graphqlErrors, RawResponse, runBounded } from './support/http-client';
import { ADMIN_TOKEN, ServiceProcess, startService } from './support/service-process';

const INTROSPECTION = '{ __schema { types { name } } }';

/** Finding 7: introspection for anonymous callers, the IDE setting, and the rate limit of unauthenticated traffic. */
describe('hostile input: introspection and rate limits (issue 9, finding 7)', () => {
  describe('production settings (GRAPHQL_IDE defaults to false with DATABASE_URL)', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startService();
    }, 240_000);

    afterAll(async () => {
      await service?.stop();
    }, 30_000);

    it('introspection without a token is refused', async () => {
      const response = await service.gql(null, INTROSPECTION);
      expect(response.status).toBeLessThan(500);
      expect(graphqlData<{ __schema?: unknown }>(response)?.__schema).toBeUndefined();
      expect(['UNAUTHENTICATED', 'GRAPHQL_VALIDATION_FAILED']).toContain(errorCodes(response)[0]);
    });

    it('introspection is off even for the ADMIN token', async () => {
      const response = await service.gql(ADMIN_TOKEN, INTROSPECTION);
      expect(graphqlData<{ __schema?: unknown }>(response)?.__schema).toBeUndefined();
      expect(graphqlErrors(response).length).toBeGreaterThan(0);
    });

    it('more than 200 bad-token requests from one address in 2 s: some answered 429 RATE_LIMITED with a retry hint', async () => {
      // All at once (25 in flight): the burst allowance (twice the rate) is spent long before 2 s have passed.
      const started = Date.now();
      const answers: RawResponse[] = [];
      const sends = Array.from({ length: 250 }, () => async () => {
        answers.push(await service.gql('bad-token-bad-token-bad-token', '{ customer(id: "00000000-0000-0000-0000-000000000001") { id } }'));
      });
      await runBounded(sends, 25);
      const elapsed = Date.now() - started;

      const limited = answers.filter((a) => a.status === 429);
      const others = answers.filter((a) => a.status !== 429);
      console.log(`rate limit: ${answers.length} bad-token requests in ${elapsed} ms: ${limited.length} answered 429, ${others.length} otherwise`);
      expect(limited.length).toBeGreaterThan(0);
      // The first burst is answered on its merits.
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) expect(errorCodes(other)).toEqual(['UNAUTHENTICATED']);
      for (const answer of limited) {
        expect(errorCodes(answer)).toEqual(['RATE_LIMITED']);
        const retryAfter = Number(answer.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        expect(graphqlErrors(answer)[0].extensions?.retryAfterSeconds).toEqual(expect.any(Number));
        expect(Number(graphqlErrors(answer)[0].extensions?.retryAfterSeconds)).toBeGreaterThan(0);
      }

      // Authenticated traffic is limited per token only: the flood from this address does not lock the ADMIN out.
      const admin = await service.gql(ADMIN_TOKEN, '{ auditorTokens { id } }');
      expect(admin.status).toBe(200);
      expect(graphqlErrors(admin)).toEqual([]);
    });
  });

  describe('development settings (GRAPHQL_IDE=true)', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startService({ GRAPHQL_IDE: 'true' });
    }, 240_000);

    afterAll(async () => {
      await service?.stop();
    }, 30_000);

    it('introspection without a token is still refused UNAUTHENTICATED', async () => {
      const response = await service.gql(null, INTROSPECTION);
      expect(graphqlData<{ __schema?: unknown }>(response)?.__schema).toBeUndefined();
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('introspection with the ADMIN token is answered', async () => {
      const response = await service.gql(ADMIN_TOKEN, INTROSPECTION);
      expect(graphqlErrors(response)).toEqual([]);
      const types = graphqlData<{ __schema: { types: Array<{ name: string }> } }>(response)?.__schema.types ?? [];
      expect(types.map((t) => t.name)).toContain('Mutation');
    });

    it('a browser gets the IDE page at /graphql, not a CSRF error', async () => {
      const page = await service.send({ method: 'GET', path: '/graphql', headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(String(page.headers['content-type'])).toContain('text/html');
    });
  });
});
