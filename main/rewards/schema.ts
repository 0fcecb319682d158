/**
 * Rewards (issue 9): points as a ledger, rewards cards connected to profiles, and the status and
 * location tags a manager keeps.
 *
 * - A customer's balance is SUM(points) over rewards_ledger, kept in rewards_balances by a trigger
 *   in the same transaction (drizzle/0013; `npm run verify:balances` rebuilds and compares).
 * - A card number belongs to at most one customer, ever (unique card_number): a replaced card
 *   keeps its row (replaced_at set) so it is refused by a swipe and cannot be connected again.
 *   Each customer has at most one working card (partial unique index on customer_id).
 *   The customers search reads `rewards_cards(card_number, customer_id)`.
 * - A tag is never deleted: archiving hides it from the lists but keeps it on old profiles' history.
 *
 * Conventions: ids are ULIDs, times UTC epoch ms, money integer cents.
 */
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { customers, employees } from '../store/schema.js';

export const rewardsCards = sqliteTable(
  'rewards_cards',
  {
    id: text('id').primaryKey(),
    /** The 16 digits on the card (the swipe's track 2 card number, or typed). */
    cardNumber: text('card_number').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    connectedAt: integer('connected_at').notNull(),
    connectedBy: text('connected_by').references(() => employees.id),
    /** Set when another card replaced this one: the card stops working from then on. */
    replacedAt: integer('replaced_at'),
    replacedByCardId: text('replaced_by_card_id'),
  },
  (t) => [
    uniqueIndex('rewards_cards_number').on(t.cardNumber),
    uniqueIndex('rewards_cards_one_working_per_customer').on(t.customerId).where(sql`replaced_at IS NULL`),
    index('rewards_cards_customer').on(t.customerId),
  ],
);

/**
 * Every change of a customer's points: earned on a sale, redeemed on a sale, adjusted by hand
 * (with the approving manager), or the reversal of a sale's points when it is voided.
 */
export const rewardsLedger = sqliteTable(
  'rewards_ledger',
  {
    /** Integer key (drizzle/0017): a ledger row never crosses the register's boundary by its id. */
    id: integer('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    kind: text('kind', { enum: ['earn', 'redeem', 'adjust', 'reverse', 'return'] }).notNull(),
    /** Signed: + earned / added, − redeemed / taken away. */
    points: integer('points').notNull(),
    /** The sale it belongs to (earn, redeem, reverse); no foreign key so rewards never depend on checkout's tables. */
    saleId: text('sale_id'),
    /** earn: the spend that earned the points; redeem: the discount given. */
    cents: integer('cents'),
    reason: text('reason'),
    employeeId: text('employee_id').references(() => employees.id),
    /** adjust: the manager whose PIN approved it. */
    approvedBy: text('approved_by').references(() => employees.id),
    at: integer('at').notNull(),
  },
  (t) => [
    index('rewards_ledger_customer').on(t.customerId, t.at),
    // A sale earns once, redeems once and is reversed once, however often the checkout retries.
    uniqueIndex('rewards_ledger_sale_kind').on(t.saleId, t.kind).where(sql`sale_id IS NOT NULL`),
  ],
);

/** The tag lists a manager keeps: status tags (VIP, Employee…) and location tags (North store…). */
export const customerTags = sqliteTable(
  'customer_tags',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['status', 'location'] }).notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    archivedAt: integer('archived_at'),
  },
  (t) => [uniqueIndex('customer_tags_kind_name').on(t.kind, t.name)],
);

export const customerTagLinks = sqliteTable(
  'customer_tag_links',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    tagId: text('tag_id')
      .notNull()
      .references(() => customerTags.id),
    addedAt: integer('added_at').notNull(),
    addedBy: text('added_by').references(() => employees.id),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.tagId] }), index('customer_tag_links_tag').on(t.tagId)],
);

/** Running points per customer: SUM(points) of their ledger rows, kept by a trigger (WITHOUT ROWID, drizzle/0013). */
export const rewardsBalances = sqliteTable('rewards_balances', {
  customerId: text('customer_id')
    .primaryKey()
    .references(() => customers.id),
  points: integer('points').notNull(),
});
