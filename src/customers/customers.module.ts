import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { CustomersResolver } from './customers.resolver';
import { CustomersService } from './customers.service';

@Module({ imports: [LedgerModule], providers: [CustomersService, CustomersResolver], exports: [CustomersService] })
export class CustomersModule {}
