import { Global, Module } from '@nestjs/common';
import { ApiTokenDirectory } from './api-token-directory';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensResolver } from './api-tokens.resolver';
import { ApiTokensService } from './api-tokens.service';
import { AuditorTokensResolver } from './auditor-tokens.resolver';

/** Global because the authenticator resolves API tokens (AUDITOR, REWARDS) through the directory. */
@Global()
@Module({
  providers: [ApiTokensRepository, ApiTokenDirectory, ApiTokensService, ApiTokensResolver, AuditorTokensResolver],
  exports: [ApiTokenDirectory, ApiTokensService],
})
export class ApiTokensModule {}
