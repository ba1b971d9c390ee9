import { CustomerEntity } from '../customers/customer.entity';
import { ProductEntity } from '../products/product.entity';
import { PromotionEntity } from '../promotions/promotion.entity';
import { RetailerEntity } from '../retailers/retailer.entity';

/** The reference data that the back office writes through MikroORM. The ledger has no entities: see docs/. */
export const ENTITIES = [CustomerEntity, ProductEntity, RetailerEntity, PromotionEntity];
