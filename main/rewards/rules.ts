/**
 * The earn and redeem rules as pure functions of the store's settings: nothing here touches the
 * database, so the checkout's preview and the write inside the sale give the same answer.
 */
import type Database from 'better-sqlite3';
import { rewardsRulesSchema, type RedemptionQuote, type RewardsRules } from '../../preload/contract/rewards.js';
import { cachedStatement } from '../store/statements.js';

export const RULES_SETTING = 'rewards.rules';

/** 1 point per dollar; a point is worth 5 cents; from 100 points, in steps of 10, up to half the sale. */
export const DEFAULT_RULES: RewardsRules = {
  enabled: true,
  earnPointsPerDollar: 1,
  redeemCentsPerPoint: 5,
  minRedeemPoints: 100,
  redeemStepPoints: 10,
  maxRedeemPercent: 50,
};

/** The store's rules (settings key rewards.rules); the defaults when unset or unreadable. */
export function readRewardsRules(sqlite: Database.Database): RewardsRules {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(RULES_SETTING) as { value: string } | undefined;
  if (!row) return DEFAULT_RULES;
  try {
    const parsed = rewardsRulesSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : DEFAULT_RULES;
  } catch {
    return DEFAULT_RULES;
  }
}

/** Points a sale earns: whole dollars of eligible spend (after discounts, before tax) times the rate. */
export function pointsEarned(rules: RewardsRules, eligibleCents: number): number {
  if (!rules.enabled || eligibleCents <= 0) return 0;
  return Math.floor(eligibleCents / 100) * rules.earnPointsPerDollar;
}

/** What the balance is worth in cents if it were all redeemed (ignoring the per-sale cap). */
export function pointsValueCents(rules: RewardsRules, points: number): number {
  return Math.max(0, points) * rules.redeemCentsPerPoint;
}

/**
 * The most a sale can redeem, and what `requested` points (null: the most) would give. Points are
 * clamped to what the rules allow and the note says why; redeemPoints refuses instead of clamping.
 */
export function quoteRedemption(rules: RewardsRules, balance: number, eligibleCents: number, requested: number | null): RedemptionQuote {
  const none = (note: string): RedemptionQuote => ({ balance, maxPoints: 0, points: 0, discountCents: 0, note });
  if (!rules.enabled) return none('Rewards are switched off in Settings.');
  if (balance < rules.minRedeemPoints) return none(`Points can be redeemed from ${rules.minRedeemPoints} points; this customer has ${balance}.`);
  const capCents = Math.floor((Math.max(0, eligibleCents) * rules.maxRedeemPercent) / 100);
  const capPoints = Math.floor(capCents / rules.redeemCentsPerPoint);
  const maxPoints = Math.floor(Math.min(balance, capPoints) / rules.redeemStepPoints) * rules.redeemStepPoints;
  if (maxPoints < rules.minRedeemPoints) {
    return none(`This sale is too small to redeem ${rules.minRedeemPoints} points (at most ${rules.maxRedeemPercent}% of it can be paid with points).`);
  }
  let points = requested ?? maxPoints;
  let note: string | null = null;
  const problem = redemptionProblem(rules, balance, maxPoints, points);
  if (problem) {
    note = problem;
    points = Math.min(maxPoints, Math.max(rules.minRedeemPoints, Math.floor(points / rules.redeemStepPoints) * rules.redeemStepPoints));
  }
  return { balance, maxPoints, points, discountCents: points * rules.redeemCentsPerPoint, note };
}

/** Why `points` cannot be redeemed on a sale whose most is `maxPoints`, or null when they can. */
export function redemptionProblem(rules: RewardsRules, balance: number, maxPoints: number, points: number): string | null {
  if (!rules.enabled) return 'Rewards are switched off in Settings.';
  if (!Number.isInteger(points) || points <= 0) return 'Choose how many points to redeem.';
  if (points > balance) return `The customer has only ${balance} points.`;
  if (points < rules.minRedeemPoints) return `Redeem at least ${rules.minRedeemPoints} points.`;
  if (points % rules.redeemStepPoints !== 0) return `Points are redeemed in steps of ${rules.redeemStepPoints}.`;
  if (points > maxPoints) return `This sale can take at most ${maxPoints} points (${rules.maxRedeemPercent}% of it).`;
  return null;
}
