import { Global, Module } from '@nestjs/common';
import { AuditorTokenDirectory } from './auditor-token-directory';
import { AuditorTokensRepository } from './auditor-tokens.repository';
import { AuditorTokensResolver } from './auditor-tokens.resolver';
import { AuditorTokensService } from './auditor-tokens.service';

/** Global because the auth guard resolves AUDITOR tokens through the directory. */
@Global()
@Module({
  providers: [AuditorTokensRepository, AuditorTokenDirectory, AuditorTokensService, AuditorTokensResolver],
  exports: [AuditorTokenDirectory],
})
export class AuditorTokensModule {}
