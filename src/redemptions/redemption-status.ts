/** A redemption is never edited: its status is read from whether a cancellation row exists for it. */
export enum RedemptionStatus {
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}

export function redemptionStatus(cancelledAt: Date | null): RedemptionStatus {
  return cancelledAt === null ? RedemptionStatus.COMPLETED : RedemptionStatus.CANCELLED;
}
