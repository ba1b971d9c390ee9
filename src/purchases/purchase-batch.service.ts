import { Injectable } from '@nestjs/common';
import { RetailerIdentity } from '../common/auth/principal';
import { ItemResult } from '../common/batching/micro-batcher';
import { badInput } from '../common/errors/domain-error';
import { validateInput } from '../common/validation/validation.pipe';
import { RecordPurchaseInput } from './dto/record-purchase.input';
import { PurchaseMetrics } from './purchase.metrics';
import { PurchasesRepository, PurchaseToRecord } from './purchases.repository';
import { PurchaseResult, PurchasesService, purchaseResult } from './purchases.service';

/** One purchase of recordEach: whose it is, the input as GraphQL would hand it over, and when it was received. */
export interface ReceivedInput {
  retailer: RetailerIdentity;
  input: unknown;
  receivedAt: Date;
}

/** The most purchases one recordPurchases call takes (the contract's). */
export const MAX_PURCHASES_PER_CALL = 1000;

/**
 * recordPurchases: each item with exactly recordPurchase's rules and codes, decided as if the items were sent one
 * by one in input order, written with set-based statements. An item that is refused (an input rule, a lookup, the
 * database's verdict) is that item's error and never fails, delays or changes the others.
 */
@Injectable()
export class PurchaseBatchService {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly repository: PurchasesRepository,
    private readonly metrics: PurchaseMetrics,
  ) {}

  /** One result per input, in input order; counted in the purchase metrics like single purchases. */
  async recordAll(
    retailer: RetailerIdentity,
    inputs: readonly unknown[],
    receivedAt: Date,
  ): Promise<Array<ItemResult<PurchaseResult>>> {
    return this.recordEach(inputs.map((input) => ({ retailer, input, receivedAt })));
  }

  /**
   * recordAll for items of several retailers received at different times (an event stream's submissions): each
   * item is judged for its own retailer at its own receivedAt, as it would have been when it was submitted; the
   * rest is recordAll's, order included. The statements key the ledger by (retailer, transactionId), so one call
   * carries a whole pull whatever the number of retailers in it.
   */
  async recordEach(items: readonly ReceivedInput[]): Promise<Array<ItemResult<PurchaseResult>>> {
    if (items.length < 1 || items.length > MAX_PURCHASES_PER_CALL) {
      throw badInput(`recordPurchases takes 1 to ${MAX_PURCHASES_PER_CALL} purchases; ${items.length} were sent`);
    }
    // One by one: the product catalog answers from memory, and an unknown product's lookup then takes one
    // connection at a time rather than the whole pool.
    const priced: Array<ItemResult<PurchaseToRecord>> = [];
    for (const item of items) priced.push(await this.price(item.retailer, item.input, item.receivedAt));

    const recorded = await this.repository.recordInOrder(priced.flatMap((p) => (p.ok ? [p.value] : [])));
    let next = 0;
    return priced.map((p) => {
      const outcome = answerOf(p.ok ? recorded[next++] : p);
      if (outcome.ok) this.metrics.succeeded(outcome.value.replayed, outcome.value.pointsAwarded);
      else this.metrics.failed(outcome.error);
      return outcome;
    });
  }

  private async price(retailer: RetailerIdentity, input: unknown, receivedAt: Date): Promise<ItemResult<PurchaseToRecord>> {
    try {
      // The same rules (and messages) as the global pipe applies to recordPurchase's argument.
      const valid = (await validateInput(RecordPurchaseInput, input)) as RecordPurchaseInput;
      return { ok: true, value: await this.purchases.price(retailer, valid, receivedAt) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

/** recordPurchase's answer for what the database decided about one item (a conflict is an error). */
function answerOf(recorded: ItemResult<Parameters<typeof purchaseResult>[0]>): ItemResult<PurchaseResult> {
  if (!recorded.ok) return recorded;
  try {
    return { ok: true, value: purchaseResult(recorded.value) };
  } catch (error) {
    return { ok: false, error };
  }
}
