/**
 * Rewards (issue 9): points earned on sales and redeemed at checkout under the store's rules,
 * adjustments by hand only with a manager's PIN, rewards cards connected by a swipe, and the
 * status / location tags a manager keeps.
 *
 * Points are a ledger (rewards_ledger): a balance is always a sum, never an overwritten total.
 * Every write carries a commandId made by the caller.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const idText = z.string().min(1).max(40);

/** A rewards card number: the 16 digits on the card (spaces and dashes typed by a person are dropped). */
export const cardNumberSchema = z
  .string()
  .max(40)
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{16}$/, 'A rewards card number is 16 digits: swipe the card, or type the 16 digits printed on it.'));

/** The store's rules (settings key `rewards.rules`). */
export const rewardsRulesSchema = z
  .object({
    /** Off: no points are earned and none can be redeemed (the balance stays). */
    enabled: z.boolean(),
    /** Points earned per whole dollar of eligible spend (the sale after discounts, before tax). */
    earnPointsPerDollar: z.number().int().min(0, 'Points per dollar cannot be negative.').max(100, 'At most 100 points per dollar.'),
    /** What one point is worth when redeemed, in cents. */
    redeemCentsPerPoint: z.number().int().min(1, 'A point is worth at least 1 cent.').max(100, 'A point is worth at most $1.00.'),
    /** A customer needs at least this many points to redeem any. */
    minRedeemPoints: z.number().int().min(1).max(100_000),
    /** Points are redeemed in multiples of this (e.g. 100 points = $1.00 at 1 cent a point). */
    redeemStepPoints: z.number().int().min(1).max(100_000),
    /** A redemption covers at most this percent of the eligible spend. */
    maxRedeemPercent: z.number().int().min(1).max(100),
  })
  .strict();
export type RewardsRules = z.infer<typeof rewardsRulesSchema>;

export const tagKindSchema = z.enum(['status', 'location']);
export type TagKind = z.infer<typeof tagKindSchema>;
export const customerTagSchema = z.object({ id: z.string(), kind: tagKindSchema, name: z.string(), archived: z.boolean() });
export type CustomerTag = z.infer<typeof customerTagSchema>;

export const ledgerEntrySchema = z.object({
  id: z.string(),
  kind: z.enum(['earn', 'redeem', 'adjust', 'reverse', 'return']),
  points: z.number().int(),
  /** The balance after this entry. */
  balanceAfter: z.number().int(),
  saleId: z.string().nullable(),
  cents: z.number().int().nullable(),
  reason: z.string().nullable(),
  employeeName: z.string().nullable(),
  approvedByName: z.string().nullable(),
  at: z.number().int(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const rewardsCardSchema = z.object({
  id: z.string(),
  cardNumber: z.string(),
  connectedAt: z.number().int(),
  replacedAt: z.number().int().nullable(),
});
export type RewardsCard = z.infer<typeof rewardsCardSchema>;

export const rewardsAccountSchema = z.object({
  customerId: z.string(),
  balance: z.number().int(),
  /** What the balance is worth now under the store's rules, in cents. */
  balanceValueCents: z.number().int(),
  card: rewardsCardSchema.nullable(),
  /** Cards replaced earlier (they no longer work). */
  replacedCards: z.array(rewardsCardSchema),
  ledger: z.array(ledgerEntrySchema),
  tags: z.array(customerTagSchema),
  rules: rewardsRulesSchema,
});
export type RewardsAccount = z.infer<typeof rewardsAccountSchema>;

export const redemptionQuoteSchema = z.object({
  balance: z.number().int(),
  /** The most points this sale can take (0 when none can be redeemed). */
  maxPoints: z.number().int(),
  points: z.number().int(),
  discountCents: z.number().int(),
  /** Why nothing (or less than asked) can be redeemed, in words for the budtender. */
  note: z.string().nullable(),
});
export type RedemptionQuote = z.infer<typeof redemptionQuoteSchema>;

export const rewardsCalls = {
  /** The store's rules and the tag lists (anyone logged in: checkout and profiles show them). */
  'rewards.config': {
    request: z.object({}).strict(),
    response: z.object({ rules: rewardsRulesSchema, tags: z.array(customerTagSchema) }),
  },
  'rewards.saveRules': {
    request: z.object({ commandId: commandIdSchema, rules: rewardsRulesSchema }).strict(),
    response: rewardsRulesSchema,
  },
  /** The profile's Rewards card: balance, card, ledger, tags. */
  'rewards.account': {
    request: z.object({ customerId: idText, ledgerLimit: z.number().int().min(1).max(500).default(20) }).strict(),
    response: rewardsAccountSchema,
  },
  /** A swipe (or typed number) → the customer it belongs to. A replaced or unknown card is refused. */
  'rewards.findByCard': {
    request: z.object({ cardNumber: cardNumberSchema }).strict(),
    response: z.object({ customerId: z.string(), displayName: z.string() }),
  },
  'rewards.connectCard': {
    request: z.object({ commandId: commandIdSchema, customerId: idText, cardNumber: cardNumberSchema }).strict(),
    response: rewardsCardSchema,
  },
  /** The new card works from now on; the old one stops. Points and history stay with the customer. */
  'rewards.replaceCard': {
    request: z.object({ commandId: commandIdSchema, customerId: idText, cardNumber: cardNumberSchema }).strict(),
    response: rewardsCardSchema,
  },
  /**
   * Points by hand: only with a manager override grant (ManagerOverrideDialog with action
   * 'rewards.adjust'), whoever is logged in. Audited with the old and new totals.
   */
  'rewards.adjust': {
    request: z
      .object({
        commandId: commandIdSchema,
        customerId: idText,
        points: z
          .number()
          .int('Points are whole numbers.')
          .min(-1_000_000)
          .max(1_000_000)
          .refine((value) => value !== 0, 'Enter the points to add (e.g. 50) or take away (e.g. -50).'),
        reason: z.string().trim().min(3, 'Say why the points change (at least 3 characters).').max(200),
        grantId: z.string().min(1).max(64),
      })
      .strict(),
    response: z.object({ oldBalance: z.number().int(), newBalance: z.number().int() }),
  },
  /** What a redemption would give on a sale of this eligible spend (the checkout shows it). */
  'rewards.quote': {
    request: z
      .object({ customerId: idText, eligibleCents: z.number().int().min(0).max(100_000_000), points: z.number().int().min(0).max(10_000_000).nullable().default(null) })
      .strict(),
    response: redemptionQuoteSchema,
  },
  'rewards.saveTag': {
    request: z
      .object({
        commandId: commandIdSchema,
        kind: tagKindSchema,
        name: z.string().trim().min(1, 'Give the tag a name.').max(40, 'A tag name is at most 40 characters.'),
      })
      .strict(),
    response: customerTagSchema,
  },
  /** Archived tags leave the lists (and the profiles' choices) but stay in history. */
  'rewards.archiveTag': {
    request: z.object({ commandId: commandIdSchema, tagId: idText }).strict(),
    response: customerTagSchema,
  },
  'rewards.setCustomerTags': {
    request: z.object({ commandId: commandIdSchema, customerId: idText, tagIds: z.array(idText).max(40) }).strict(),
    response: z.array(customerTagSchema),
  },
} as const;

export const rewardsEvents = {
  /** A customer's points, card or tags changed (profiles and the checkout refresh). */
  'rewards.changed': z.object({ customerId: z.string().nullable() }),
} as const;
