import { CustomersResolver } from '../customers/customers.resolver';
import { ProductsResolver } from '../products/products.resolver';
import { PromotionsResolver } from '../promotions/promotions.resolver';
import { PurchasesResolver } from '../purchases/purchases.resolver';
import { RetailersResolver } from '../retailers/retailers.resolver';

/** Every resolver of the API, for generating schema.gql without a database. A test checks it against the app. */
export const RESOLVERS = [CustomersResolver, ProductsResolver, PromotionsResolver, PurchasesResolver, RetailersResolver];
