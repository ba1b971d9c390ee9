import type { ApolloServerPlugin } from '@apollo/server';
import { classifyError } from '../common/errors/format-graphql-error';
import { GraphqlContext } from './graphql-context';

/**
 * One log line per request that had errors, with the request id the service gave it: a bug at error level with
 * its stack, a database that did not answer at warn, and a client's mistakes at info as a count per code (a
 * request with a thousand bad aliases writes one line, not a thousand).
 */
export function errorLoggingPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didEncounterErrors({ errors, contextValue }) {
          const log = contextValue.req.log;
          const clientCodes: Record<string, number> = {};
          for (const error of errors) {
            const kind = classifyError(error, error);
            if (kind === 'internal') log.error({ err: error.originalError ?? error }, 'internal error');
            else if (kind === 'unavailable') log.warn({ reason: (error.originalError ?? error).message }, 'database unavailable');
            else {
              const code = String(error.extensions?.code ?? 'UNKNOWN');
              clientCodes[code] = (clientCodes[code] ?? 0) + 1;
            }
          }
          if (Object.keys(clientCodes).length > 0) log.info({ codes: clientCodes }, 'request refused');
          return Promise.resolve();
        },
      });
    },
  };
}
