import { Client } from 'pg';
import { ArrayElements, ArrayKind, binaryArray } from '../../src/database/binary-array';
import { createTestDatabase, TestDatabase } from '../support/test-database';

type Values<K extends ArrayKind> = Array<ArrayElements[K] | null>;

const SQL_TYPE: Record<ArrayKind, string> = { uuid: 'uuid[]', bytea: 'bytea[]', int4: 'int[]', int8: 'bigint[]', text: 'text[]' };

/**
 * The binary arrays of the purchase hot path must mean to PostgreSQL exactly what node-postgres's text arrays
 * meant: each case is sent both ways through the same cast and compared in SQL and as node-postgres reads it back.
 */
describe('binary arrays read by PostgreSQL as their text form', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  async function roundTrip<K extends ArrayKind>(kind: K, values: Values<K>): Promise<void> {
    const type = SQL_TYPE[kind];
    const binary = binaryArray(kind, values);
    // node-postgres sends the JavaScript array as text, the Buffer as binary (format code 1).
    const text = kind === 'int8' ? values.map((v) => (v == null ? v : String(v))) : values;
    const { rows } = await client.query<{ same: boolean; b: unknown; t: unknown; b_text: string; t_text: string }>(
      `select $1::${type} is not distinct from $2::${type} as same, $1::${type} as b, $2::${type} as t,
              $1::${type}::text as b_text, $2::${type}::text as t_text`,
      [binary, text],
    );
    expect(rows[0].same).toBe(true);
    expect(rows[0].b_text).toBe(rows[0].t_text);
    expect(rows[0].b).toEqual(rows[0].t);
  }

  it('uuid, in either case, with nulls, and empty', async () => {
    await roundTrip('uuid', ['0189b3c4-5d6e-7f80-9a1b-2c3d4e5f6071', null, 'FFFFFFFF-0000-4000-8000-00000000000A']);
    await roundTrip('uuid', [null]);
    await roundTrip('uuid', []);
  });

  it('bytea, 32 bytes and empty, with nulls', async () => {
    const digest = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 5) & 0xff));
    await roundTrip('bytea', [digest, null, Buffer.alloc(0), Buffer.from([0])]);
    await roundTrip('bytea', []);
  });

  it('int4 at its bounds, with nulls', async () => {
    await roundTrip('int4', [-(2 ** 31), -1, 0, 1, null, 2 ** 31 - 1]);
    await roundTrip('int4', []);
  });

  it('int8 at its bounds, from bigints, strings and numbers, with nulls', async () => {
    await roundTrip('int8', [-(2n ** 63n), (2n ** 63n - 1n).toString(), null, Number.MAX_SAFE_INTEGER, -1, '0']);
    await roundTrip('int8', []);
  });

  it('text with quotes, backslashes, commas, braces, unicode and emoji, the empty string and NULL-like words', async () => {
    await roundTrip('text', ['plain', '', 'NULL', null, 'a,b', '{x}', '"quoted"', 'back\\slash', 'line\nbreak', 'é ß 漢字 👍🏽 😀']);
    await roundTrip('text', []);
  });

  it('refuses a NUL character in text as the text form does', async () => {
    const sent = ['a\u0000b'];
    await expect(client.query('select $1::text[]', [sent])).rejects.toThrow(/0x00/);
    await expect(client.query('select $1::text[]', [binaryArray('text', sent)])).rejects.toThrow(/0x00/);
  });

  it('refuses an array whose element type is not the cast one (the oid matters)', async () => {
    await expect(client.query('select $1::bigint[]', [binaryArray('int4', [1])])).rejects.toThrow(/element type/);
  });
});
