import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { formatGraphqlError } from '../common/errors/format-graphql-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { errorLoggingPlugin } from './error-logging.plugin';
import { GraphqlContext } from './graphql-context';
import { documentRules } from './limits/document-rules';
import { limitsPlugin } from './limits/limits.plugin';
import { requestMetricsPlugin } from './request-metrics.plugin';


/**
 * Apollo, configured in one place: every limit on what one request may ask (docs/reliability.md) comes from the
 * validated configuration and is checked before any resolver runs. The parser stops at the token limit, the
 * document rules bound operations, depth and aliases, the limits plugin bounds cost and purchases per request.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [APP_CONFIG, Registry],
      useFactory: (config: AppConfig, registry: Registry): ApolloDriverConfig => ({
        path: '/graphql',
        // Built in memory at start; the committed schema.gql is written by `npm run schema:generate` and a test
        // fails when the two differ.
        autoSchemaFile: true,
        sortSchema: true,
        // Development tools (GRAPHQL_IDE): GraphiQL at /graphql for a browser, and introspection for callers
        // with a token (limits.plugin.ts refuses it to anonymous callers). Off, neither exists.
        ...(config.graphqlIde ? { graphiql: true } : { playground: false }),
        introspection: config.graphqlIde,
        includeStacktraceInErrorResponses: false,
        parseOptions: { maxTokens: config.graphqlLimits.maxTokens },
        validationRules: documentRules(config.graphqlLimits),
        // Neither HTTP cache hints nor federated traces are used; both would wrap every field resolver of every
        // request (profiled: a few percent of the service's CPU per purchase).
        plugins: [
          ApolloServerPluginCacheControlDisabled(),
          ApolloServerPluginInlineTraceDisabled(),
          limitsPlugin(config.graphqlLimits),
          errorLoggingPlugin(),
          requestMetricsPlugin(registry),
        ],
        context: (request: FastifyRequest): Partial<GraphqlContext> => ({
          req: request as GraphqlContext['req'],
          receivedAt: new Date(),
        }),
        formatError: formatGraphqlError,
      }),
    }),
  ],
})
export class AppGraphqlModule {}

