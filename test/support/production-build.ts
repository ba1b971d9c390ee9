import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const SERVICE_MAIN = join(PROJECT_ROOT, 'dist', 'main.js');

/**
 * The fault and hostile suites run the built service (dist/), as production does. Each of their test files calls
 * this first, and it builds only when dist/main.js is missing or older than a source file, so `npm test` on a fresh
 * clone needs no separate build step and a run after `npm run build` costs nothing. Type errors are the type
 * check's business (CI runs it on its own): the build counts as done when tsc emitted dist/main.js afresh.
 * A lock folder keeps two test processes of this checkout from building at the same time.
 */
export async function ensureServiceBuilt(log: (line: string) => void): Promise<void> {
  if (!isStale()) return;
  const lock = join(tmpdir(), `loyalty-ledger-build-${createHash('sha256').update(PROJECT_ROOT).digest('hex').slice(0, 12)}.lock`);
  await acquire(lock);
  try {
    if (!isStale()) return;
    log('dist/ is older than src/: building the service (tsc -p tsconfig.build.json)');
    const started = Date.now();
    const tsc = require.resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (!existsSync(SERVICE_MAIN) || statSync(SERVICE_MAIN).mtimeMs < started - 1000) {
      throw new Error(`the build emitted no dist/main.js:\n${result.stdout}${result.stderr}`);
    }
    if (result.status !== 0) log(`the build emitted dist/ with type errors (the type check reports them):\n${result.stdout.slice(0, 2000)}`);
    log(`built in ${Date.now() - started} ms`);
  } finally {
    rmdirSync(lock);
  }
}

function isStale(): boolean {
  if (!existsSync(SERVICE_MAIN)) return true;
  const built = statSync(SERVICE_MAIN).mtimeMs;
  return newestSource(join(PROJECT_ROOT, 'src')) > built;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** mkdir is atomic: whoever creates the folder holds the lock. A lock older than 5 minutes was left by a crash. */
async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error(`another build held ${lock} for 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The node flags `npm run start:prod` gives dist/main.js, so that the heap cap is the production one. */
export function productionNodeArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts['start:prod'].trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`start:prod does not start with node: ${scripts['start:prod']}`);
  return words.slice(1, -1);
}
