import { Client } from 'pg';

/**
 * The group role that holds every right the running service needs (migrations/0009_service_role.sql). The
 * service's login role is a member of it and is granted nothing else (docs/decisions/0007-least-privilege-roles.md).
 */
export const SERVICE_GROUP_ROLE = 'loyalty_service';

/** The tables whose rows are history: the service's role may never update, delete, truncate, alter or drop them. */
export const LEDGER_TABLES = [
  'customers',
  'retailers',
  'products',
  'promotions',
  'purchases',
  'accounts',
  'ledger_transactions',
  'ledger_entries',
  'account_balances',
  'api_tokens',
  'reconciliation_runs',
] as const;

/** What the service's own connection may do, as PostgreSQL answers it for that connection's role. */
export interface ServiceRoleProbe {
  user: string;
  member: boolean;
  /** Each thing it may do that least privilege forbids, in words; empty when least privilege is in force. */
  excess: string[];
}

// One round trip. A ledger table that does not exist yet (MIGRATE=false on an empty database) is skipped; the
// rights of a table's owner are named once, as ownership, not privilege by privilege.
const PROBE_SQL = `
  with ledger as (
    select c.oid, c.relname, c.relowner from unnest($1::text[]) t(name)
      join pg_class c on c.oid = to_regclass('public.' || quote_ident(t.name))
  )
  select current_user as "user",
         exists (select 1 from pg_roles g where g.rolname = $2 and pg_has_role(g.oid, 'MEMBER')) as member,
         array_remove(array[
           case when r.rolsuper then 'is a superuser' end,
           case when r.rolbypassrls then 'bypasses row security' end,
           (select 'owns or may become the owner of ' || string_agg(distinct l.relname, ', ')
              from ledger l where pg_has_role(l.relowner, 'MEMBER')),
           (select 'may ' || string_agg(p.privilege || ' ' || l.relname, ', ' order by l.relname, p.privilege)
              from ledger l cross join unnest(array['UPDATE', 'DELETE', 'TRUNCATE']) p(privilege)
             where has_table_privilege(l.oid, p.privilege) and not pg_has_role(l.relowner, 'MEMBER')),
           case when has_schema_privilege('public', 'CREATE') then 'may create objects in schema public' end,
           case when has_parameter_privilege('session_replication_role', 'SET')
                then 'may set session_replication_role (skips every trigger)' end
         ], null) as excess
    from pg_roles r where r.rolname = current_user`;

/** Asks the database, as the service's role, what that role may do. */
export async function probeServiceRole(serviceUrl: string): Promise<ServiceRoleProbe> {
  const client = new Client({ connectionString: serviceUrl, application_name: 'loyalty-ledger-setup' });
  await client.connect();
  try {
    const { rows } = await client.query<ServiceRoleProbe>(PROBE_SQL, [LEDGER_TABLES, SERVICE_GROUP_ROLE]);
    return rows[0];
  } finally {
    await client.end();
  }
}

/** The statement that makes `user` the service's role; what an operator runs when the owner may not. */
export function grantStatement(user: string): string {
  return `GRANT ${SERVICE_GROUP_ROLE} TO ${quoteIdentifier(user)};`;
}

/**
 * Makes `user` a member of the service's group role, through the owner's connection. Granting membership needs
 * CREATEROLE or the group role's ADMIN OPTION, which an owner made by a DBA may lack: the error then names the
 * statement to run instead.
 */
export async function grantServiceRole(ownerUrl: string, user: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl, application_name: 'loyalty-ledger-setup' });
  await client.connect();
  try {
    await client.query(grantStatement(user));
  } catch (error) {
    throw new Error(
      `the database role "${user}" of DATABASE_URL is not a member of "${SERVICE_GROUP_ROLE}" and DATABASE_OWNER_URL's ` +
        `role could not grant it (${(error as Error).message}). Run as a role that may (for instance a superuser): ` +
        `${grantStatement(user)}`,
    );
  } finally {
    await client.end();
  }
}

/** The one warning line of a start whose service connection may do more than the service does; null if none. */
export function leastPrivilegeWarning(probe: ServiceRoleProbe): string | null {
  if (probe.excess.length === 0) return null;
  return (
    `least privilege is not in force: DATABASE_URL's role "${probe.user}" ${probe.excess.join('; ')}. ` +
    `Set DATABASE_OWNER_URL to the schema owner's URL (it runs the migrations) and DATABASE_URL to a role with ` +
    `no other rights (${grantStatement('<role>')} is made at start): docs/decisions/0007-least-privilege-roles.md`
  );
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
