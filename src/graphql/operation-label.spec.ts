import { buildSchema, parse } from 'graphql';
import { operationLabel } from './operation-label';

const schema = buildSchema(`
  type Query { customer(id: ID!): String, purchase: String }
  type Mutation { recordPurchase: String, recordReturn: String }
`);

/** The label of a request with this text, as the plugin sees it: operation resolved, or only the document. */
function label(text: string, operationName: string | null = null, resolved = true): string {
  const document = parse(text);
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const operation = resolved
    ? operations.find((o) => operationName === null || o.name?.value === operationName) ?? operations[0]
    : undefined;
  return operationLabel(schema, document, operation, operationName);
}

describe('operationLabel', () => {
  it("names the operation's first root field, for queries and mutations", () => {
    expect(label('{ customer(id: "1") purchase }')).toBe('customer');
    expect(label('mutation Anything { b: recordReturn a: recordPurchase }')).toBe('recordReturn');
  });

  it('never uses the operation name, which is the client\'s text', () => {
    expect(label('query recordPurchase { purchase }')).toBe('purchase');
  });

  it('reads through inline fragments and fragment spreads at the root', () => {
    expect(label('mutation { ... on Mutation { recordPurchase } }')).toBe('recordPurchase');
    expect(label('query { ...F } fragment F on Query { ...G } fragment G on Query { customer(id: "x") }')).toBe('customer');
  });

  it('calls introspection introspection', () => {
    expect(label('{ __schema { types { name } } }')).toBe('introspection');
    expect(label('{ __typename }')).toBe('introspection');
    expect(label('{ __type(name: "Query") { name } }')).toBe('introspection');
  });

  it('says unknown for a field the schema lacks, on the right root type', () => {
    expect(label('{ dropTables }', null, false)).toBe('unknown');
    expect(label('{ recordPurchase }', null, false)).toBe('unknown');
    expect(label('mutation { customer }', null, false)).toBe('unknown');
    expect(label('subscription { customer }', null, false)).toBe('unknown');
    expect(label('{ constructor }', null, false)).toBe('unknown');
  });

  it('finds the operation of a document that did not validate, by its name', () => {
    expect(label('query A { customer(id: "1") { nope } } mutation B { recordReturn }', 'B', false)).toBe('recordReturn');
    expect(label('query A { purchase } query B { customer }', null, false)).toBe('unknown'); // ambiguous without a name
  });

  it('says unknown without a document, and for a fragment cycle', () => {
    expect(operationLabel(schema, undefined, undefined, null)).toBe('unknown');
    expect(label('query { ...F } fragment F on Query { ...F }', null, false)).toBe('unknown');
  });
});
