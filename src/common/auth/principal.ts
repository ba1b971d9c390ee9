export enum Role {
  POS = 'POS',
  ADMIN = 'ADMIN',
  AUDITOR = 'AUDITOR',
}

/** The retailer a POS token belongs to, with what the purchase path needs of it. */
export interface RetailerIdentity {
  id: string;
  name: string;
  region: string | null;
  timezone: string;
}

export type Principal =
  | { role: Role.ADMIN }
  | { role: Role.AUDITOR }
  | { role: Role.POS; retailer: RetailerIdentity };
