import { RedemptionStatus, redemptionStatus } from './redemption-status';

describe('redemptionStatus', () => {
  it('is COMPLETED until a cancellation exists', () => {
    expect(redemptionStatus(null)).toBe(RedemptionStatus.COMPLETED);
  });

  it('is CANCELLED once cancelled, whenever that was', () => {
    expect(redemptionStatus(new Date('2026-11-24T18:30:00Z'))).toBe(RedemptionStatus.CANCELLED);
    expect(redemptionStatus(new Date(0))).toBe(RedemptionStatus.CANCELLED);
  });
});
