import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(PROJECT_ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  try {
    return statSync(ENTRY).mtimeMs < newestMtime(join(PROJECT_ROOT, 'src'));
  } catch {
    return true;
  }
}

/**
 * The suite tests what production runs: dist/, rebuilt when src/ is newer. Test files may run in parallel
 * workers; a lock directory keeps two of them from writing dist/ at the same time.
 */
export async function ensureProductionBuild(): Promise<string> {
  if (!isStale()) return ENTRY;
  const lock = join(tmpdir(), 'loyalty-ledger-hostile-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another build held ${lock} for 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (isStale()) {
      execFileSync('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
    }
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`npm run build failed:\n${output.slice(-4000)}`);
  } finally {
    rmdirSync(lock);
  }
  return ENTRY;
}

/** `node <flags> dist/main.js` exactly as `npm run start:prod` runs it, so that the heap cap is the production one. */
export function productionNodeArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts['start:prod'].trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`start:prod does not start with node: ${scripts['start:prod']}`);
  return words.slice(1);
}
