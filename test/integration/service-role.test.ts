import { Client, DatabaseError, Pool } from 'pg';
import { SQL_POOL } from '../../src/database/database.module';
import { SERVICE_GROUP_ROLE } from '../../src/database/service-role';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { txn } from './helpers';

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Everything the service's role may do, as the catalog holds it: a new grant (or a lost one) must be a decision
 * made here as well as in a migration.
 */
const EXPECTED_GRANTS = [
  'column api_tokens.revoked_at: UPDATE',
  'column reconciliation_runs.counts: UPDATE',
  'column reconciliation_runs.error: UPDATE',
  'column reconciliation_runs.findings: UPDATE',
  'column reconciliation_runs.finished_at: UPDATE',
  'column reconciliation_runs.last_entry_id: UPDATE',
  'column reconciliation_runs.status: UPDATE',
  'column reconciliation_runs.watermark: UPDATE',
  'function adjust_points: EXECUTE',
  'function cancel_redemption: EXECUTE',
  'function customer_balance: EXECUTE',
  'function lock_customer: EXECUTE',
  'function post_movement: EXECUTE',
  'function record_purchases: EXECUTE',
  'function record_return: EXECUTE',
  'function redeem_points: EXECUTE',
  'function redeem_points_batch: EXECUTE',
  'function uuid_v7: EXECUTE',
  'table account_balances: SELECT',
  'table accounts: SELECT',
  'table api_tokens: INSERT',
  'table api_tokens: SELECT',
  'table customers: INSERT',
  'table customers: SELECT',
  'table ledger_entries: INSERT',
  'table ledger_entries: SELECT',
  'table ledger_transactions: INSERT',
  'table ledger_transactions: SELECT',
  'table points_adjustments: INSERT',
  'table points_adjustments: SELECT',
  'table products: INSERT',
  'table products: SELECT',
  'table promotions: INSERT',
  'table promotions: SELECT',
  'table purchase_returns: INSERT',
  'table purchase_returns: SELECT',
  'table purchases: INSERT',
  'table purchases: SELECT',
  'table reconciliation_runs: INSERT',
  'table reconciliation_runs: SELECT',
  'table redemption_cancellations: INSERT',
  'table redemption_cancellations: SELECT',
  'table redemptions: INSERT',
  'table redemptions: SELECT',
  'table retailers: INSERT',
  'table retailers: SELECT',
  'table submission_refusals: INSERT',
  'table submission_refusals: SELECT',
];

// Every privilege held on the schema's objects by one grantee (0: PUBLIC), one line each.
const GRANTS_SQL = `
  with objects as (
    select 'table ' || c.relname as object, c.relacl as acl
      from pg_class c where c.relnamespace = 'public'::regnamespace
    union all
    select 'column ' || c.relname || '.' || a.attname, a.attacl
      from pg_attribute a join pg_class c on c.oid = a.attrelid
     where c.relnamespace = 'public'::regnamespace and a.attnum > 0 and not a.attisdropped
    union all
    select 'function ' || p.proname, p.proacl from pg_proc p where p.pronamespace = 'public'::regnamespace
    union all
    select 'schema ' || n.nspname, n.nspacl from pg_namespace n where n.nspname = 'public'
    union all
    select 'database', d.datacl from pg_database d where d.datname = current_database()
  )
  select o.object || ': ' || x.privilege_type as grant
    from objects o cross join aclexplode(o.acl) x
   where x.grantee = $1
   order by 1`;

describe("the service's database role", () => {
  let t: TestApp;
  let service: Client;
  let owner: string;
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    const pos = await f.retailer();
    customerId = await f.customer();
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
    const r = await recordPurchase(t, pos.token, { transactionId: txn('role'), customerId, productId, quantity: 2 });
    expect(r.data?.recordPurchase.pointsAwarded).toBe('200');
    owner = (await t.sql.query<{ owner: string }>("select tableowner as owner from pg_tables where tablename = 'ledger_entries'")).rows[0].owner;
    service = new Client({ connectionString: t.db.serviceUrl });
    await service.connect();
  });
  afterAll(async () => {
    await service.end();
    await t.close();
  });

  /** The SQLSTATE a statement fails with, run in a transaction that is always rolled back; null if it succeeds. */
  async function sqlState(statement: string): Promise<string | null> {
    await service.query('begin');
    try {
      await service.query(statement);
      return null;
    } catch (error) {
      return (error as DatabaseError).code ?? 'no SQLSTATE';
    } finally {
      await service.query('rollback');
    }
  }

  /** Each statement with the SQLSTATE it failed with, so that a failure names every statement that got through. */
  async function refusals(statements: string[]): Promise<Record<string, string | null>> {
    const result: Record<string, string | null> = {};
    for (const statement of statements) result[statement] = await sqlState(statement);
    return result;
  }
  const allRefused = (statements: string[]) => Object.fromEntries(statements.map((s) => [s, INSUFFICIENT_PRIVILEGE]));

  async function tables(): Promise<Array<{ name: string; column: string }>> {
    // A column of each table that the role may not update (an identity column would fail for another reason).
    const { rows } = await t.sql.query<{ name: string; column: string }>(
      `select c.table_name as name, min(c.column_name) as column
         from information_schema.columns c
         join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
        where c.table_schema = 'public' and tb.table_type = 'BASE TABLE' and c.is_identity = 'NO'
          and not has_column_privilege($1, format('public.%I', c.table_name), c.column_name, 'UPDATE')
        group by c.table_name order by 1`,
      [SERVICE_GROUP_ROLE],
    );
    return rows;
  }

  it('is what the service runs as: the login role of the tests, a member of the group role, nothing more', async () => {
    const pool = t.app.get<Pool>(SQL_POOL);
    const { rows } = await pool.query(
      `select current_user as "user", r.rolsuper as super, pg_has_role($1, 'MEMBER') as member
         from pg_roles r where r.rolname = current_user`,
      [SERVICE_GROUP_ROLE],
    );
    expect(rows[0]).toEqual({ user: new URL(t.db.serviceUrl).username, super: false, member: true });
    expect(rows[0].user).not.toBe(owner);
  });

  it('may not update, delete or truncate any table, nor write balances or accounts directly', async () => {
    const statements = (await tables()).flatMap(({ name, column }) => [
      `update ${name} set ${column} = ${column}`,
      `delete from ${name}`,
      `truncate ${name}`,
    ]);
    expect(statements.length).toBeGreaterThanOrEqual(36);
    statements.push(
      `insert into account_balances (account_id, bucket, balance) values ('${customerId}', 7, 1000)`,
      `insert into accounts (id, code, kind) values (gen_random_uuid(), 'program:other', 'liability')`,
      `update account_balances set balance = balance + 1000 where account_id = '${customerId}'`,
    );
    expect(await refusals(statements)).toEqual(allRefused(statements));
  });

  it('may not alter, drop, add triggers to or disable the triggers of any table', async () => {
    const statements = (await tables()).flatMap(({ name }) => [
      `alter table ${name} disable trigger all`,
      `alter table ${name} add column extra integer`,
      `drop table ${name}`,
      `create trigger extra before insert on ${name} for each row execute function refuse_change()`,
    ]);
    expect(await refusals(statements)).toEqual(allRefused(statements));
  });

  it('may not create objects, skip triggers, become the owner or call what it was not granted', async () => {
    const statements = [
      'create table extra (a integer)',
      "create function extra() returns integer language sql as 'select 1'",
      'create schema extra',
      'set session_replication_role = replica',
      `set role "${owner}"`,
      `set session authorization "${owner}"`,
      'alter function uuid_v7() stable',
      'select open_customer_account()',
      'select post_ledger_entries()',
      'select refuse_change()',
    ];
    expect(await refusals(statements)).toEqual(allRefused(statements));
  });

  it('records a purchase through record_purchases(), its balance moving by the trigger it may not imitate', async () => {
    const { rows } = await t.sql.query<{ balance: string }>(
      'select sum(balance)::text as balance from account_balances where account_id = $1',
      [customerId],
    );
    expect(rows[0].balance).toBe('200');
    const f = new Fixtures(t);
    expect(await f.balance(customerId)).toBe(200n);
  });

  it('holds exactly the expected grants, and PUBLIC holds nothing but the use of the schema', async () => {
    const grants = async (grantee: number | string) =>
      (await t.sql.query<{ grant: string }>(GRANTS_SQL, [grantee])).rows.map((r) => r.grant);
    const groupOid = (await t.sql.query<{ oid: string }>('select oid from pg_roles where rolname = $1', [SERVICE_GROUP_ROLE]))
      .rows[0].oid;
    expect(await grants(groupOid)).toEqual(EXPECTED_GRANTS);
    // A database's ACL left at its default (null) gives PUBLIC CONNECT and TEMPORARY and is not listed here
    // (temporary tables: the search-path test below).
    expect(await grants(0)).toEqual(['schema public: USAGE']);
  });

  it('is a group role without attributes, and only trigger functions run with their owner\'s rights', async () => {
    const { rows: roles } = await t.sql.query(
      `select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
              (select count(*)::int from pg_auth_members m where m.member = r.oid) as memberships
         from pg_roles r where rolname = $1`,
      [SERVICE_GROUP_ROLE],
    );
    expect(roles[0]).toEqual({
      rolcanlogin: false,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
      memberships: 0,
    });
    const { rows: definers } = await t.sql.query(
      `select proname as name, proconfig as settings from pg_proc
        where pronamespace = 'public'::regnamespace and prosecdef order by 1`,
    );
    expect(definers).toEqual([
      { name: 'open_customer_account', settings: ['search_path=pg_catalog, public, pg_temp'] },
      {
        name: 'post_ledger_entries',
        settings: ['plan_cache_mode=force_generic_plan', 'enable_seqscan=off', 'search_path=pg_catalog, public, pg_temp'],
      },
    ]);
  });

  it('takes no name from its temporary tables: every function of the schema ends its search path with pg_temp, or has a SQL-standard body', async () => {
    // The role may create temporary tables (PUBLIC's default TEMPORARY right: revoking it changes the database's
    // ACL, which a copy of the database does not keep), and a search path that does not name pg_temp searches it
    // FIRST for tables and types. Every function is checked, not only those the role may call: triggers run on the role's writes, and
    // a function called by another runs in the caller's statement (test/integration/temp-schema-shadowing.test.ts
    // shows each guard bypassed without this). A SQL-standard body (RETURN, BEGIN ATOMIC) bound its names when it
    // was created and looks nothing up when it runs.
    const { rows } = await t.sql.query<{ name: string; path: string | null; sql_body: boolean }>(
      `select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as name,
              (select substr(s, length('search_path=') + 1) from unnest(p.proconfig) s where s like 'search_path=%') as path,
              p.prosqlbody is not null as sql_body
         from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(26);
    expect(rows.filter((f) => !f.sql_body && f.path !== 'pg_catalog, public, pg_temp')).toEqual([]);
  });
});
