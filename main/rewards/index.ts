/**
 * Rewards for the rest of the core (issue 9).
 *
 * ## For the checkout: call these INSIDE the sale's transaction (they open none of their own)
 *
 *   rewardsQuote(sqlite, customerId, eligibleCents, points | null) → RedemptionQuote
 *       For the ticket screen: the balance, the most points this sale can take (`maxPoints`), what
 *       `points` (null: the most) would take off (`discountCents`), and a `note` saying why less
 *       or nothing can be redeemed. Pure read; the rules are the settings key `rewards.rules`.
 *
 *   redeemPoints(sqlite, { customerId, saleId, points, eligibleCents, employeeId?, at })
 *       → { points, discountCents, balance }
 *       Writes a 'redeem' ledger row (−points) and returns the discount in cents to apply to the
 *       sale as a whole-ticket discount BEFORE tax. `eligibleCents` is the sale's net before this
 *       redemption (after other discounts, before tax); it caps the discount (maxRedeemPercent).
 *       Throws CoreError('conflict', message) when the rules refuse: the sale's transaction rolls
 *       back and the message is for the budtender. Once per sale (a retry returns the first answer).
 *
 *   earnPoints(sqlite, { customerId, saleId, eligibleCents, employeeId?, at }) → { points, balance }
 *       Writes an 'earn' ledger row at the store's rate. `eligibleCents` = the sale's net after
 *       every discount, points included, before tax. Call it after redeemPoints. Once per sale.
 *
 *   reverseSalePoints(sqlite, { saleId, employeeId?, at, reason? }) → { points }
 *   returnSalePoints(sqlite, { saleId, saleNetCents, returnedBeforeCents, returnedNowCents, ... }) → { points }:
 *       a partial return takes back (gives back) the returned share of what the sale earned (redeemed).
 *       On a void: one 'reverse' row takes back what the sale earned and gives back what it redeemed.
 *
 *   rewardsBalance(sqlite, customerId) → number  (the ledger's sum)
 *
 * ## For the screens
 * The contract is preload/contract/rewards.ts (rewards.* calls, the rewards.changed event);
 * main/rewards/module.ts handles it. Cards: rewards.findByCard turns a swipe into a customer.
 */
export { earnPoints, redeemPoints, returnSalePoints, reverseSalePoints, rewardsBalance, rewardsQuote } from './ledger.js';
export type { EarnInput, RedeemInput } from './ledger.js';
export { DEFAULT_RULES, pointsEarned, quoteRedemption, readRewardsRules, redemptionProblem } from './rules.js';
