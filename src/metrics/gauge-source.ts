import { SharedRead } from './shared-read';

/**
 * The database read behind a group of gauges, as their collect() functions call it: shared (shared-read.ts),
 * and null when it failed, so that the gauges keep their last values. A failure is reported once, not once per
 * gauge and per scrape: every caller of the interval awaits the same rejected promise.
 */
export function gaugeSource<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  warn: (message: string) => void,
): () => Promise<T | null> {
  const shared = new SharedRead(read, maxAgeMs);
  const reported = new WeakSet<object>();
  return async () => {
    try {
      return await shared.get();
    } catch (error) {
      const key = typeof error === 'object' && error !== null ? error : null;
      if (key === null || !reported.has(key)) {
        if (key !== null) reported.add(key);
        warn(error instanceof Error ? error.message : String(error));
      }
      return null;
    }
  };
}
