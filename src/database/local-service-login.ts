import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';
import { quoteIdentifier } from './service-role';

/** The embedded database's login role for the service; the group role's grants come to it after migrating. */
export const LOCAL_SERVICE_LOGIN = 'loyalty_app';

/**
 * Makes (or updates) the service's login role on the embedded server and returns the service's URL: the owner's
 * URL with this role's name and password. The password is generated once and kept, readable by its owner only,
 * in `passwordFile`; it is set again at every start, so a new cluster and an old password file agree.
 */
export async function ensureLocalServiceLogin(ownerUrl: string, passwordFile: string): Promise<string> {
  const password = readOrCreatePassword(passwordFile);
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [LOCAL_SERVICE_LOGIN]);
    const verb = rowCount ? 'alter' : 'create';
    // Role statements take no parameters; the password is base64url, and quoted besides.
    await client.query(`${verb} role ${quoteIdentifier(LOCAL_SERVICE_LOGIN)} login nosuperuser nocreatedb ` +
      `nocreaterole password ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = LOCAL_SERVICE_LOGIN;
  url.password = password;
  return url.toString();
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  }
  const password = randomBytes(24).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}
