export enum Role {
  POS = 'POS',
  ADMIN = 'ADMIN',
  AUDITOR = 'AUDITOR',
  /** The rewards catalog's systems: redeem points and cancel redemptions, nothing else. */
  REWARDS = 'REWARDS',
}

/** The retailer a POS token belongs to, with what the purchase path needs of it. */
export interface RetailerIdentity {
  id: string;
  name: string;
  region: string | null;
  timezone: string;
}

/**
 * Who called. `name` is what the ledger records as the actor of a movement (an adjustment, a redemption): the
 * configured ADMIN_NAME, or the name given to an API token when ADMIN created it.
 */
export type Principal =
  | { role: Role.ADMIN; name: string }
  | { role: Role.AUDITOR; name: string }
  | { role: Role.REWARDS; name: string; tokenId: string }
  | { role: Role.POS; retailer: RetailerIdentity };

/** The actor a movement records: never taken from the input, always from the caller's token. */
export function actorOf(principal: Principal): string {
  return principal.role === Role.POS ? `POS ${principal.retailer.name}` : principal.name;
}
