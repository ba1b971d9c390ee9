import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { PROJECT_ROOT } from '../database/local-database';
import { RESOLVERS } from '../graphql/resolvers';
import { printSortedSchema } from '../graphql/schema-printer';

/** Writes schema.gql from the resolvers alone: no database, no server. */
export async function generateSchemaText(): Promise<string> {
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  await app.init();
  try {
    const schema = await app.get(GraphQLSchemaFactory).create(RESOLVERS);
    return printSortedSchema(schema);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  generateSchemaText()
    .then((text) => {
      const path = join(PROJECT_ROOT, 'schema.gql');
      writeFileSync(path, text);
      process.stdout.write(`wrote ${path}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
