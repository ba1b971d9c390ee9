import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__LOYALTY_TEST_SERVER__;
  if (!server) return;
  const template = process.env.LOYALTY_TEST_TEMPLATE;
  if (server.source === 'TEST_DATABASE_URL' && template) {
    // A shared server outlives the run: leave it as it was found.
    const admin = new Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${template}`).catch(() => undefined);
    await admin.end();
  }
  await server.stop();
}
