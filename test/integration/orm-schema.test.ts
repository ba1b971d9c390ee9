import { DatabaseSchema, MikroORM, SchemaComparator, SchemaDifference } from '@mikro-orm/postgresql';
import { loadConfig } from '../../src/config/config';
import { ormOptions } from '../../src/database/orm-options';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The entities against the schema that migrations/ builds: MikroORM's own schema diff, limited to the tables the
 * entities map. What the entities do not model (the ledger's tables, indexes, foreign keys, checks, triggers,
 * functions) is the SQL's business and is not compared; every column an entity maps must agree in name, type,
 * nullability and default.
 */
let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_TOKEN: 'orm-schema-test-token', LOG_LEVEL: 'silent' });
  orm = await MikroORM.init(ormOptions(config));
});

afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

async function entitiesAgainstDatabase(): Promise<SchemaDifference> {
  const target = orm.schema.getTargetSchema();
  const mapped = target.getTables().map((table) => table.name);
  const platform = orm.em.getPlatform();
  const actual = await DatabaseSchema.create(orm.em.getConnection(), platform, orm.config, undefined, undefined, mapped);
  return new SchemaComparator(platform).compare(actual, target);
}

/** "table.column: what differs", for each column an entity maps that the database has otherwise (or not at all). */
function disagreements(diff: SchemaDifference): string[] {
  const found = Object.keys(diff.newTables).map((table) => `${table}: no such table`);
  for (const table of Object.values(diff.changedTables)) {
    const name = table.toTable.name;
    for (const column of Object.keys(table.addedColumns)) found.push(`${name}.${column}: no such column`);
    for (const [from, column] of Object.entries(table.renamedColumns)) found.push(`${name}.${from}: named ${column.name}`);
    for (const [column, change] of Object.entries(table.changedColumns)) {
      found.push(`${name}.${column}: ${[...change.changedProperties].join(', ')} differ`);
    }
  }
  return found.sort();
}

function columnsLeftToSql(diff: SchemaDifference): string[] {
  return Object.values(diff.changedTables)
    .flatMap((table) => Object.keys(table.removedColumns).map((column) => `${table.toTable.name}.${column}`))
    .sort();
}

it('maps every entity property to a column of the migrated schema, with the same type, nullability and default', async () => {
  const diff = await entitiesAgainstDatabase();
  expect(disagreements(diff)).toEqual([]);
});

it('leaves to SQL only the columns it is meant to (a new column the back office must write fails here)', async () => {
  const diff = await entitiesAgainstDatabase();
  // promotions.seq is an identity column the database assigns; the catalog reads it through SQL.
  expect(columnsLeftToSql(diff)).toEqual(['promotions.seq']);
});

it('sees the tables of every entity', () => {
  expect(orm.schema.getTargetSchema().getTables().map((table) => table.name).sort()).toEqual([
    'customers',
    'products',
    'promotions',
    'retailers',
  ]);
});
