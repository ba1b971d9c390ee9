import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';

type Caller = 'none' | 'unknown' | 'POS' | 'AUDITOR' | 'revoked AUDITOR' | 'REWARDS' | 'revoked REWARDS' | 'ADMIN';
const CALLERS: Caller[] = ['none', 'unknown', 'POS', 'AUDITOR', 'revoked AUDITOR', 'REWARDS', 'revoked REWARDS', 'ADMIN'];
/** The callers with a live token: refused with FORBIDDEN, where the others are UNAUTHENTICATED. */
const LIVE: Caller[] = ['POS', 'AUDITOR', 'REWARDS', 'ADMIN'];

/**
 * Who may call each operation of the schema: the access policy, written once. The test fails when an operation
 * is added without a line here, so every new operation's roles are decided on purpose.
 */
const MAY_CALL: Record<string, Caller[]> = {
  recordPurchase: ['POS'],
  recordPurchases: ['POS'],
  submitPurchase: ['POS'],
  purchaseSubmission: ['POS'],
  recordReturn: ['POS'],
  redeemPoints: ['ADMIN', 'REWARDS'],
  cancelRedemption: ['ADMIN', 'REWARDS'],
  adjustPoints: ['ADMIN'],
  purchase: ['POS', 'AUDITOR', 'ADMIN'],
  customer: ['AUDITOR', 'ADMIN'],
  ledgerAccount: ['AUDITOR', 'ADMIN'],
  ledgerTransactions: ['AUDITOR', 'ADMIN'],
  trialBalance: ['AUDITOR', 'ADMIN'],
  reconciliationRuns: ['AUDITOR', 'ADMIN'],
  reconciliationRun: ['AUDITOR', 'ADMIN'],
  createRetailer: ['ADMIN'],
  createCustomer: ['ADMIN'],
  createProduct: ['ADMIN'],
  createPromotion: ['ADMIN'],
  revisePromotion: ['ADMIN'],
  createAuditorToken: ['ADMIN'],
  revokeAuditorToken: ['ADMIN'],
  auditorTokens: ['ADMIN'],
  createApiToken: ['ADMIN'],
  revokeApiToken: ['ADMIN'],
  apiTokens: ['ADMIN'],
};

/** A value of the argument's type that GraphQL accepts (the service may still refuse it: that is not the point). */
function sample(type: GraphQLInputType, context: { retailerId: string }, name: string): string {
  if (isNonNullType(type)) return sample(type.ofType, context, name);
  if (isListType(type)) return `[${sample(type.ofType, context, name)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${sample(f.type, context, f.name)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    if (name === 'retailerId') return JSON.stringify(context.retailerId);
    switch (type.name) {
      case 'ID':
        return '"00000000-0000-4000-8000-000000000000"';
      case 'Int':
        return '1';
      case 'Boolean':
        return 'false';
      case 'DateTime':
        return JSON.stringify(new Date().toISOString());
      case 'LocalDate':
        return '"2026-01-01"';
      case 'Decimal':
        return '"1"';
      case 'BigInt':
        return '"1"';
      default:
        return '"x"';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

function operationText(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, context: { retailerId: string }): string {
  const args = field.args
    .filter((a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined)
    .map((a) => `${a.name}: ${sample(a.type, context, a.name)}`);
  return `${kind} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} { __typename } }`;
}

function rootOperations(schema: GraphQLSchema): Array<{ kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }> {
  return [
    ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ({ kind: 'query' as const, field })),
    ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({ kind: 'mutation' as const, field })),
  ];
}

describe('role x operation: every operation of the schema, every kind of caller', () => {
  let t: TestApp;
  const tokens: Partial<Record<Caller, string | null>> = { none: null, unknown: 'made-up-token-0123456789', ADMIN: ADMIN_TOKEN, AUDITOR: AUDITOR_TOKEN };
  let retailerId: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_ADDRESS: '0' });
    const pos = await new Fixtures(t).retailer();
    retailerId = pos.id;
    tokens.POS = pos.token;
    const created = await t.gql<{ createAuditorToken: { authToken: string; auditorToken: { id: string } } }>(
      ADMIN_TOKEN,
      'mutation { createAuditorToken(name: "Leaver") { authToken auditorToken { id } } }',
    );
    tokens['revoked AUDITOR'] = created.data!.createAuditorToken.authToken;
    const revoked = await t.gql(ADMIN_TOKEN, `mutation { revokeAuditorToken(id: "${created.data!.createAuditorToken.auditorToken.id}") { id } }`);
    expect(revoked.errors).toBeUndefined();
    const rewards = async (name: string) => {
      const r = await t.gql<{ createApiToken: { authToken: string; apiToken: { id: string } } }>(
        ADMIN_TOKEN,
        'mutation($name: String!) { createApiToken(role: REWARDS, name: $name) { authToken apiToken { id } } }',
        { name },
      );
      expect(r.errors).toBeUndefined();
      return r.data!.createApiToken;
    };
    tokens.REWARDS = (await rewards('Rewards shop')).authToken;
    const leaver = await rewards('Old rewards shop');
    tokens['revoked REWARDS'] = leaver.authToken;
    expect((await t.gql(ADMIN_TOKEN, `mutation { revokeApiToken(id: "${leaver.apiToken.id}") { id } }`)).errors).toBeUndefined();
  });
  afterAll(() => t.close());

  it('names every operation of the schema in the policy, and nothing else', () => {
    const names = rootOperations(t.app.get(GraphQLSchemaHost).schema).map((o) => o.field.name);
    expect(names.sort()).toEqual(Object.keys(MAY_CALL).sort());
  });

  it('refuses each caller the policy does not name (UNAUTHENTICATED without a live token, else FORBIDDEN) and lets the others past authorization', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { kind, field } of rootOperations(t.app.get(GraphQLSchemaHost).schema)) {
      const query = operationText(kind, field, { retailerId });
      for (const caller of CALLERS) {
        const r = await t.gql(tokens[caller] ?? null, query);
        const code = r.errors?.[0]?.extensions?.code;
        const seen = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'past authorization';
        outcomes.push(`${field.name} as ${caller}: ${seen}`);
        const allowed = MAY_CALL[field.name]?.includes(caller);
        expected.push(`${field.name} as ${caller}: ${allowed ? 'past authorization' : LIVE.includes(caller) ? 'FORBIDDEN' : 'UNAUTHENTICATED'}`);
      }
    }
    expect(outcomes).toEqual(expected);
  });
});
