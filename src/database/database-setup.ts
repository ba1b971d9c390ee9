import { migrate } from './migrator';
import { grantServiceRole, leastPrivilegeWarning, probeServiceRole } from './service-role';

export interface DatabaseRoles {
  /** The service's connection (DATABASE_URL, or the embedded database's login role). */
  databaseUrl: string;
  /** The schema owner's connection; null: DATABASE_URL's role is taken to own the schema (single-role setup). */
  databaseOwnerUrl: string | null;
  migrate: boolean;
}

export interface DatabaseSetup {
  /** Migrations applied now; null when not asked to migrate. */
  applied: string[] | null;
  /** The one line to log when the service's role may do more than the service does. */
  warning: string | null;
}

/**
 * What a start does to the database before serving: migrates as the owner, makes the service's role a member of
 * the group role that holds the service's grants, and checks what that role may do. One query as the service
 * (the probe); the owner's connection is used again only when the membership is missing.
 */
export async function setUpDatabase(roles: DatabaseRoles): Promise<DatabaseSetup> {
  const owner = roles.databaseOwnerUrl;
  const applied = roles.migrate ? await migrate(owner ?? roles.databaseUrl) : null;
  const probe = await probeServiceRole(roles.databaseUrl);
  if (owner !== null && !probe.member) await grantServiceRole(owner, probe.user);
  return { applied, warning: leastPrivilegeWarning(probe) };
}
