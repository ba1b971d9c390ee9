import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * A child that logs a line larger than a pipe holds (so that its write is still in flight), then a last line, then
 * exits the way `how` says; the parent reads nothing for a while, so the pipe stays full. Resolves with the `msg`
 * of every JSON line the child wrote, in the order they arrived.
 */
function lastLines(how: 'exitAfterLogs' | 'flush'): Promise<string[]> {
  // 'flush' is the exit the service used before: logger.flush() answers at once when nothing is queued, and the
  // exit hook then writes the last line synchronously; it came out cut or out of order 11 times in 12.
  const script = `
    const { createLogger, exitAfterLogs } = require('./src/logging/logger.ts');
    const logger = createLogger('info');
    logger.info({ filler: 'x'.repeat(512 * 1024) }, 'large');
    logger.info('last');
    ${how === 'flush' ? 'logger.flush(() => process.exit(0));' : 'exitAfterLogs(logger, 0);'}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 300);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', () =>
      resolve(
        Buffer.concat(chunks)
          .toString('utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => {
            try {
              return String((JSON.parse(line) as { msg?: unknown }).msg);
            } catch {
              return '(a line cut or mixed with another)';
            }
          }),
      ),
    );
  });
}

describe('exitAfterLogs', () => {
  it('exits only once every line is written, whole and in order, even with a write in flight', async () => {
    expect(await lastLines('exitAfterLogs')).toEqual(['large', 'last']);
  }, 20_000);
});
