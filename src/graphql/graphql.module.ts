import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Logger, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { formatGraphqlError } from '../common/errors/format-graphql-error';
import { GraphqlContext } from './graphql-context';

const logger = new Logger('GraphQL');

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      path: '/graphql',
      // Built in memory at start; the committed schema.gql is written by `npm run schema:generate` and a test
      // fails when the two differ.
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // Neither HTTP cache hints nor federated traces are used; both would wrap every field resolver of every
      // request (profiled: a few percent of the service's CPU per purchase).
      plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()],
      context: (request: FastifyRequest): Partial<GraphqlContext> => ({
        req: request as GraphqlContext['req'],
        receivedAt: new Date(),
      }),
      formatError: (formatted, error) =>
        formatGraphqlError(formatted, error, (internal) =>
          logger.error(internal instanceof Error ? (internal.stack ?? internal.message) : String(internal)),
        ),
    }),
  ],
})
export class AppGraphqlModule {}
