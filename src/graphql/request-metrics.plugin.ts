import type { ApolloServerPlugin } from '@apollo/server';
import { OperationDefinitionNode } from 'graphql';
import { Counter, Histogram, Registry } from 'prom-client';
import { graphqlOutcome } from '../metrics/outcomes';
import { SeriesCache } from '../metrics/series-cache';
import { GraphqlContext } from './graphql-context';
import { operationLabel } from './operation-label';

/**
 * Counts and times every GraphQL request Apollo answers, by operation (operation-label.ts) and outcome (ok or
 * the first error's code, outcomes.ts). One hook per request, at the end (no per-field hook: those wrap every
 * resolver), the label of an operation remembered per parsed document (Apollo hands the same document back for
 * the same text), and the series' children made once. The time runs from Apollo's start of the request to its
 * response: parsing, validation, execution and formatting, not the edge's authentication before it. Requests
 * the edge answers itself (no valid token, rate limited) never reach Apollo and are not counted here.
 */
export function requestMetricsPlugin(registry: Registry): ApolloServerPlugin<GraphqlContext> {
  const requests = new Counter({
    name: 'loyalty_graphql_requests_total',
    help: 'GraphQL requests answered, by operation (first root field, "introspection" or "unknown") and outcome (ok or the first error code).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'loyalty_graphql_request_duration_seconds',
    help: 'Time Apollo took to answer a GraphQL request (parse, validate, execute, format), by operation and outcome.',
    labelNames: ['operation', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const series = new SeriesCache((operation, outcome) => ({
    requests: requests.labels(operation, outcome),
    durations: durations.labels(operation, outcome),
  }));
  const labels = new WeakMap<OperationDefinitionNode, string>();

  return {
    requestDidStart() {
      const startedAt = performance.now();
      return Promise.resolve({
        willSendResponse({ schema, document, operation, request, response }) {
          const seconds = (performance.now() - startedAt) / 1000;
          let label = operation ? labels.get(operation) : undefined;
          if (label === undefined) {
            label = operationLabel(schema, document, operation, request.operationName);
            if (operation) labels.set(operation, label);
          }
          const body = response.body;
          const errors = body?.kind === 'single' ? body.singleResult.errors : body?.initialResult.errors;
          const s = series.get(label, graphqlOutcome(errors));
          s.requests.inc();
          s.durations.observe(seconds);
          return Promise.resolve();
        },
      });
    },
  };
}
