import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { AppModule } from './app.module';
import { Authenticator } from './common/auth/authenticator';
import { registerEdgeHooks } from './edge/edge-hooks';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfig } from './config/config';
import { NestPinoLogger } from './logging/logger';

/** Builds the whole service (used by main.ts, the tests and the CLI), initialised but not listening. */
export async function createApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per purchase is logged with its outcome; per-request access lines would double the log volume.
    logController: new LogController({ disableRequestLogging: true }),
    // Request ids are the service's own: a client's x-request-id is logged beside it (src/edge/edge-hooks.ts).
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe());
  registerEdgeHooks(app.getHttpAdapter().getInstance(), app.get(Authenticator), config);
  await app.init();
  return app;
}
