import { Inject, Injectable } from '@nestjs/common';
import { AdjustmentsService } from '../adjustments/adjustments.service';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { RetailerIdentity, Role } from '../common/auth/principal';
import { Instant } from '../common/time/instant';
import { APP_CONFIG, AppConfig } from '../config/config';
import { PurchasesService } from '../purchases/purchases.service';
import { RedemptionsService } from '../redemptions/redemptions.service';
import { ReturnsService } from '../returns/returns.service';

/** Who the demo's redemptions are made by, as the ledger records their actor. */
export const DEMO_REWARDS_TOKEN_NAME = 'Demo rewards shop';

export interface DemoActivity {
  /** A REWARDS token for the banner's redemption request (shown once, stored hashed like every API token). */
  rewardsToken: string;
  /** A customer whose balance covers the banner's redemption request. */
  redemptionCustomerId: string;
}

/**
 * A little history for a newcomer to read in the auditors' API and the trial balance: purchases, a partial and a
 * full return, a redemption, a cancelled one and an adjustment, each through the same services the API uses.
 * It leaves the first customer alone, so that the banner's first purchase shows a balance of its own points.
 */
@Injectable()
export class DemoActivitySeeder {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly returns: ReturnsService,
    private readonly redemptions: RedemptionsService,
    private readonly adjustments: AdjustmentsService,
    private readonly apiTokens: ApiTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async seed(retailers: RetailerIdentity[], customerIds: string[], productIds: string[]): Promise<DemoActivity> {
    const [harbor, , prairie, , , empire] = retailers;
    const [, grace, alan, edsger, barbara, donald] = customerIds;
    const [, lager, , ipa, , wheat] = productIds;
    const now = new Date();
    const buy = (retailer: RetailerIdentity, transactionId: string, customerId: string, productId: string, quantity: number) =>
      this.purchases.record(retailer, { transactionId, customerId, productId, quantity }, now);
    const giveBack = (retailer: RetailerIdentity, transactionId: string, purchaseTransactionId: string, quantity: number) =>
      this.returns.record(retailer, { transactionId, purchaseTransactionId, quantity, returnedAt: Instant.fromDate(now) }, now);

    // Grace returns one of three 12-packs; Donald returns both IPA 6-packs he bought.
    await buy(prairie, 'demo-sale-1', grace, lager, 3);
    await giveBack(prairie, 'demo-return-1', 'demo-sale-1', 1);
    await buy(harbor, 'demo-sale-2', donald, ipa, 2);
    await giveBack(harbor, 'demo-return-2', 'demo-sale-2', 2);
    // Alan spends points on a glass set; Edsger's bottle opener was out of stock, so his redemption is cancelled.
    await buy(harbor, 'demo-sale-3', alan, wheat, 4);
    await buy(empire, 'demo-sale-4', edsger, lager, 1);
    const rewards = await this.apiTokens.create(Role.REWARDS, DEMO_REWARDS_TOKEN_NAME);
    const actor = rewards.apiToken.name;
    await this.redemptions.redeem(
      { idempotencyKey: 'demo-redemption-1', customerId: alan, points: 5000n, rewardReference: 'pint-glass-set' },
      actor,
    );
    const opener = await this.redemptions.redeem(
      { idempotencyKey: 'demo-redemption-2', customerId: edsger, points: 1000n, rewardReference: 'bottle-opener' },
      actor,
    );
    await this.redemptions.cancel(opener.redemption.id, actor);
    // An operator's goodwill credit, recorded with the ADMIN identity (ADMIN_NAME).
    await this.adjustments.adjust(
      { idempotencyKey: 'demo-adjustment-1', customerId: barbara, points: 500n, reason: 'Welcome bonus: store opening' },
      this.config.adminName,
    );
    return { rewardsToken: rewards.authToken, redemptionCustomerId: alan };
  }
}
