import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, signal } from './processes';
import { waitUntil } from './wait';

/** A running server's process id, from the file PostgreSQL keeps in its data folder; null when none runs. */
export function postmasterPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

/**
 * Stops the server of `dataDir`, if one runs: SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one.
 * For clean-up, a server that does not stop within the bound is killed.
 */
export async function stopPostmaster(dataDir: string, how: 'SIGINT' | 'SIGQUIT', timeoutMs = 30_000): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === null) return;
  signal(pid, how);
  await waitUntil(`PostgreSQL (pid ${pid}) to stop`, () => !isAlive(pid), timeoutMs).catch((error: Error) => {
    signal(pid, 'SIGKILL');
    throw error;
  });
}
