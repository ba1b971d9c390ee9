import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { customerAccountId } from '../ledger/ledger';
import { LedgerRepository } from '../ledger/ledger.repository';
import { CustomerEntity } from './customer.entity';
import { CreateCustomerInput } from './dto/create-customer.input';
import { CustomerModel } from './models/customer.model';

@Injectable()
export class CustomersService {
  constructor(
    private readonly em: EntityManager,
    private readonly ledger: LedgerRepository,
  ) {}

  /** The database opens the customer's points account in the same transaction (a trigger). */
  async create(input: CreateCustomerInput): Promise<CustomerModel> {
    const em = this.em.fork();
    const customer = em.create(CustomerEntity, { firstName: input.firstName, lastName: input.lastName });
    await em.persist(customer).flush();
    return { id: customer.id, firstName: customer.firstName, lastName: customer.lastName, pointBalance: 0n };
  }

  async find(id: string): Promise<CustomerModel | null> {
    const customer = await this.em.fork().findOne(CustomerEntity, { id: id.toLowerCase() });
    if (!customer) return null;
    const pointBalance = await this.ledger.balanceOf(customerAccountId(customer.id));
    return { id: customer.id, firstName: customer.firstName, lastName: customer.lastName, pointBalance };
  }
}
