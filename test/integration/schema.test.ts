import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { generateSchemaText } from '../../src/cli/generate-schema';
import { printSortedSchema } from '../../src/graphql/schema-printer';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';

const committed = readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8');

describe('the committed schema.gql', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Introspection is a development tool: served with GRAPHQL_IDE on, and then to callers with a token only.
    t = await startTestApp({ GRAPHQL_IDE: 'true' });
  });
  afterAll(() => t.close());

  it('is what `npm run schema:generate` writes from the resolvers', async () => {
    expect(await generateSchemaText()).toBe(committed);
  });

  it('is the schema the running service serves', () => {
    expect(printSortedSchema(t.app.get(GraphQLSchemaHost).schema)).toBe(committed);
  });

  it('names every operation of the contract', () => {
    for (const field of ['customer(id: ID!): Customer', 'purchase(retailerId: ID!, transactionId: String!): Purchase']) {
      expect(committed).toContain(field);
    }
    for (const mutation of ['recordPurchase', 'createRetailer', 'createCustomer', 'createProduct', 'createPromotion', 'revisePromotion']) {
      expect(committed).toMatch(new RegExp(`\\n  ${mutation}\\(`));
    }
  });

  it('answers introspection over HTTP with the same types', async () => {
    const r = await t.gql<{ __schema: { types: Array<{ name: string }> } }>(ADMIN_TOKEN, '{ __schema { types { name } } }');
    const names = r.data?.__schema.types.map((type) => type.name) ?? [];
    for (const name of ['Purchase', 'PurchaseResult', 'BigInt', 'Decimal', 'DateTime', 'LocalDate', 'RecordPurchaseInput']) {
      expect(names).toContain(name);
    }
  });
});
