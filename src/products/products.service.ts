import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CreateProductInput } from './dto/create-product.input';
import { ProductEntity } from './product.entity';

@Injectable()
export class ProductsService {
  constructor(private readonly em: EntityManager) {}

  async create(input: CreateProductInput): Promise<ProductEntity> {
    const em = this.em.fork();
    const product = em.create(ProductEntity, { name: input.name, priceCents: input.priceCents });
    await em.persist(product).flush();
    return product;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.em.fork().count(ProductEntity, { id })) > 0;
  }
}
