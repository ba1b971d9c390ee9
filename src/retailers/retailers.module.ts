import { Global, Module } from '@nestjs/common';
import { RetailerDirectory } from './retailer-directory';
import { RetailersResolver } from './retailers.resolver';
import { RetailersService } from './retailers.service';

/** Global because the auth guard resolves POS tokens through the directory. */
@Global()
@Module({
  providers: [RetailersService, RetailersResolver, RetailerDirectory],
  exports: [RetailersService, RetailerDirectory],
})
export class RetailersModule {}
