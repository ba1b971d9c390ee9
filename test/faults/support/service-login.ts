import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A login role for the service, as an operator makes one: nothing but LOGIN. The service, given the owner's URL
 * too, makes it a member of the service's group role at start (src/database/database-setup.ts), so the faults
 * are tried on the least-privileged connection production uses. Returns the service's DATABASE_URL.
 */
export async function createServiceLogin(ownerUrl: string): Promise<string> {
  const name = 'fault_service';
  const password = randomBytes(18).toString('base64url');
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`create role ${name} login nosuperuser nocreatedb nocreaterole password ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  const url = new URL(ownerUrl);
  url.username = name;
  url.password = password;
  return url.toString();
}
