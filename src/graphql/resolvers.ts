import { LedgerAuditResolver, TrialBalanceResolver } from '../audit/ledger-audit.resolver';
import { AdjustmentsResolver } from '../adjustments/adjustments.resolver';
import { ApiTokensResolver } from '../api-tokens/api-tokens.resolver';
import { AuditorTokensResolver } from '../api-tokens/auditor-tokens.resolver';
import { CustomersResolver } from '../customers/customers.resolver';
import { ProductsResolver } from '../products/products.resolver';
import { PromotionsResolver } from '../promotions/promotions.resolver';
import { IngestionResolver } from '../ingestion/ingestion.resolver';
import { PurchaseBatchResolver } from '../purchases/purchase-batch.resolver';
import { PurchasesResolver } from '../purchases/purchases.resolver';
import { RedemptionsResolver } from '../redemptions/redemptions.resolver';
import { ReconciliationResolver } from '../reconciliation/reconciliation.resolver';
import { RetailersResolver } from '../retailers/retailers.resolver';
import { ReturnsResolver } from '../returns/returns.resolver';

/** Every resolver of the API, for generating schema.gql without a database. A test checks it against the app. */
export const RESOLVERS = [
  CustomersResolver,
  ProductsResolver,
  PromotionsResolver,
  PurchasesResolver,
  PurchaseBatchResolver,
  IngestionResolver,
  ReturnsResolver,
  RedemptionsResolver,
  AdjustmentsResolver,
  RetailersResolver,
  ApiTokensResolver,
  AuditorTokensResolver,
  LedgerAuditResolver,
  TrialBalanceResolver,
  ReconciliationResolver,
];
