-- Rewards (issue 9): each sale line's share of the rewards points redeemed on the sale, in cents,
-- taken off before tax (net = gross - group discount - line discount - rewards discount).
-- A custom migration because sale_lines belongs to main/checkout/schema.ts.
ALTER TABLE `sale_lines` ADD `rewards_discount_cents` integer DEFAULT 0 NOT NULL;
