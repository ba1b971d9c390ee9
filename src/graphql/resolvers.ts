import { LedgerAuditResolver, TrialBalanceResolver } from '../audit/ledger-audit.resolver';
import { AuditorTokensResolver } from '../auditor-tokens/auditor-tokens.resolver';
import { CustomersResolver } from '../customers/customers.resolver';
import { ProductsResolver } from '../products/products.resolver';
import { PromotionsResolver } from '../promotions/promotions.resolver';
import { PurchasesResolver } from '../purchases/purchases.resolver';
import { ReconciliationResolver } from '../reconciliation/reconciliation.resolver';
import { RetailersResolver } from '../retailers/retailers.resolver';

/** Every resolver of the API, for generating schema.gql without a database. A test checks it against the app. */
export const RESOLVERS = [
  CustomersResolver,
  ProductsResolver,
  PromotionsResolver,
  PurchasesResolver,
  RetailersResolver,
  AuditorTokensResolver,
  LedgerAuditResolver,
  TrialBalanceResolver,
  ReconciliationResolver,
];
