/** The earn and redeem rules as pure functions of the store's settings. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, pointsEarned, quoteRedemption, redemptionProblem } from '../../../main/rewards/rules.js';
import { rewardsRulesSchema, type RewardsRules } from '../../../preload/contract/rewards.js';

const rules = (overrides: Partial<RewardsRules> = {}): RewardsRules => ({ ...DEFAULT_RULES, ...overrides });

describe('earning points', () => {
  it('earns the rate per whole dollar of eligible spend, never for cents or when switched off', () => {
    expect(pointsEarned(rules({ earnPointsPerDollar: 1 }), 4_999)).toBe(49);
    expect(pointsEarned(rules({ earnPointsPerDollar: 3 }), 10_000)).toBe(300);
    expect(pointsEarned(rules({ earnPointsPerDollar: 3 }), 99)).toBe(0);
    expect(pointsEarned(rules({ earnPointsPerDollar: 0 }), 10_000)).toBe(0);
    expect(pointsEarned(rules({ enabled: false }), 10_000)).toBe(0);
    expect(pointsEarned(rules(), -500)).toBe(0);
  });
});

describe('redeeming points', () => {
  const r = rules({ redeemCentsPerPoint: 5, minRedeemPoints: 100, redeemStepPoints: 10, maxRedeemPercent: 50 });

  it('offers the most the balance, the step and the percent cap allow', () => {
    // $40 sale, 50% cap = $20 = 400 points; balance 1,234 → 400 points, $20 off.
    expect(quoteRedemption(r, 1_234, 4_000, null)).toEqual({ balance: 1_234, maxPoints: 400, points: 400, discountCents: 2_000, note: null });
    // Balance is the limit: 257 → 250 (steps of 10), $12.50.
    expect(quoteRedemption(r, 257, 100_000, null)).toMatchObject({ maxPoints: 250, points: 250, discountCents: 1_250 });
  });

  it('refuses below the minimum balance, on a sale too small, and when switched off, saying why', () => {
    expect(quoteRedemption(r, 99, 100_000, null)).toMatchObject({ maxPoints: 0, discountCents: 0, note: expect.stringMatching(/from 100 points; this customer has 99/) });
    // $10 sale: 50% = $5 = 100 points exactly → allowed; $9.98 → 99 points → refused.
    expect(quoteRedemption(r, 500, 1_000, null)).toMatchObject({ maxPoints: 100, discountCents: 500 });
    expect(quoteRedemption(r, 500, 998, null)).toMatchObject({ maxPoints: 0, note: expect.stringMatching(/too small/) });
    expect(quoteRedemption(rules({ enabled: false }), 5_000, 100_000, null)).toMatchObject({ maxPoints: 0, note: 'Rewards are switched off in Settings.' });
  });

  it('clamps a requested amount in the preview and names every broken rule', () => {
    expect(quoteRedemption(r, 1_000, 4_000, 1_000)).toMatchObject({ points: 400, note: expect.stringMatching(/at most 400 points/) });
    expect(quoteRedemption(r, 1_000, 4_000, 155)).toMatchObject({ points: 150, note: 'Points are redeemed in steps of 10.' });
    expect(redemptionProblem(r, 1_000, 400, 50)).toBe('Redeem at least 100 points.');
    expect(redemptionProblem(r, 120, 400, 200)).toBe('The customer has only 120 points.');
    expect(redemptionProblem(r, 1_000, 400, 0)).toBe('Choose how many points to redeem.');
    expect(redemptionProblem(r, 1_000, 400, 300)).toBeNull();
  });

  it('validates the settings a manager saves', () => {
    expect(rewardsRulesSchema.safeParse({ ...DEFAULT_RULES, redeemCentsPerPoint: 0 }).success).toBe(false);
    expect(rewardsRulesSchema.safeParse({ ...DEFAULT_RULES, maxRedeemPercent: 120 }).success).toBe(false);
    expect(rewardsRulesSchema.safeParse({ ...DEFAULT_RULES, earnPointsPerDollar: 1.5 }).success).toBe(false);
    expect(rewardsRulesSchema.safeParse(DEFAULT_RULES).success).toBe(true);
  });
});

describe('sharing a redemption across the ticket', () => {
  it('shares in proportion to each line, cents left to the largest lines, never more than a line or the ticket', async () => {
    const { shareRewardsDiscount } = await import('../../../main/checkout/engine.js');
    expect(shareRewardsDiscount([6_000, 3_000, 1_000], 1_000)).toEqual([600, 300, 100]);
    // 1,001 cents over three equal lines: 333 each and the extra cent to the first largest.
    expect(shareRewardsDiscount([1_000, 1_000, 1_000], 1_001)).toEqual([334, 334, 333]);
    expect(shareRewardsDiscount([500, 100], 10_000)).toEqual([500, 100]);
    expect(shareRewardsDiscount([500, 0], 250)).toEqual([250, 0]);
    expect(shareRewardsDiscount([], 250)).toEqual([]);
    const shares = shareRewardsDiscount([4_599, 2_501, 17], 3_333);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(3_333);
  });
});
