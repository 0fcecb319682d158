-- Running balances, kept in the same transaction as the ledger rows that change them (issue 12):
-- stock on hand per product, allotment used per holder per limit per business day, points per
-- customer. Triggers on the three ledgers keep them; `npm run verify:balances` rebuilds them from
-- the ledgers and compares. WITHOUT ROWID: each is one b-tree keyed by what it is looked up by
-- (0012 made them as plain tables; they are empty until now, so they are made again).
DROP TABLE `stock_on_hand`;
--> statement-breakpoint
DROP TABLE `rewards_balances`;
--> statement-breakpoint
DROP TABLE `allotment_daily`;
--> statement-breakpoint
CREATE TABLE `stock_on_hand` (
	`product_id` text PRIMARY KEY NOT NULL,
	`quantity` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rewards_balances` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`points` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `allotment_daily` (
	`holder_kind` text NOT NULL,
	`holder_id` text NOT NULL,
	`limit_id` text NOT NULL,
	`business_date` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`holder_kind`, `holder_id`, `limit_id`, `business_date`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `stock_on_hand` (`product_id`, `quantity`) SELECT `product_id`, SUM(`quantity_delta`) FROM `inventory_movements` GROUP BY `product_id`;
--> statement-breakpoint
INSERT INTO `rewards_balances` (`customer_id`, `points`) SELECT `customer_id`, SUM(`points`) FROM `rewards_ledger` GROUP BY `customer_id`;
--> statement-breakpoint
INSERT INTO `allotment_daily` (`holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount`)
  SELECT `holder_kind`, `holder_id`, `limit_id`, `business_date`, SUM(`amount`) FROM `allotment_uses` GROUP BY `holder_kind`, `holder_id`, `limit_id`, `business_date`;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_insert` AFTER INSERT ON `inventory_movements` BEGIN
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`) VALUES (NEW.`product_id`, NEW.`quantity_delta`)
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_delete` AFTER DELETE ON `inventory_movements` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` - OLD.`quantity_delta` WHERE `product_id` = OLD.`product_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_update` AFTER UPDATE OF `product_id`, `quantity_delta` ON `inventory_movements` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` - OLD.`quantity_delta` WHERE `product_id` = OLD.`product_id`;
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`) VALUES (NEW.`product_id`, NEW.`quantity_delta`)
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_insert` AFTER INSERT ON `rewards_ledger` BEGIN
  INSERT INTO `rewards_balances` (`customer_id`, `points`) VALUES (NEW.`customer_id`, NEW.`points`)
    ON CONFLICT (`customer_id`) DO UPDATE SET `points` = `points` + excluded.`points`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_delete` AFTER DELETE ON `rewards_ledger` BEGIN
  UPDATE `rewards_balances` SET `points` = `points` - OLD.`points` WHERE `customer_id` = OLD.`customer_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_update` AFTER UPDATE OF `customer_id`, `points` ON `rewards_ledger` BEGIN
  UPDATE `rewards_balances` SET `points` = `points` - OLD.`points` WHERE `customer_id` = OLD.`customer_id`;
  INSERT INTO `rewards_balances` (`customer_id`, `points`) VALUES (NEW.`customer_id`, NEW.`points`)
    ON CONFLICT (`customer_id`) DO UPDATE SET `points` = `points` + excluded.`points`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_insert` AFTER INSERT ON `allotment_uses` BEGIN
  INSERT INTO `allotment_daily` (`holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount`)
    VALUES (NEW.`holder_kind`, NEW.`holder_id`, NEW.`limit_id`, NEW.`business_date`, NEW.`amount`)
    ON CONFLICT (`holder_kind`, `holder_id`, `limit_id`, `business_date`) DO UPDATE SET `amount` = `amount` + excluded.`amount`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_delete` AFTER DELETE ON `allotment_uses` BEGIN
  UPDATE `allotment_daily` SET `amount` = `amount` - OLD.`amount`
    WHERE `holder_kind` = OLD.`holder_kind` AND `holder_id` = OLD.`holder_id` AND `limit_id` = OLD.`limit_id` AND `business_date` = OLD.`business_date`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_update` AFTER UPDATE OF `holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount` ON `allotment_uses` BEGIN
  UPDATE `allotment_daily` SET `amount` = `amount` - OLD.`amount`
    WHERE `holder_kind` = OLD.`holder_kind` AND `holder_id` = OLD.`holder_id` AND `limit_id` = OLD.`limit_id` AND `business_date` = OLD.`business_date`;
  INSERT INTO `allotment_daily` (`holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount`)
    VALUES (NEW.`holder_kind`, NEW.`holder_id`, NEW.`limit_id`, NEW.`business_date`, NEW.`amount`)
    ON CONFLICT (`holder_kind`, `holder_id`, `limit_id`, `business_date`) DO UPDATE SET `amount` = `amount` + excluded.`amount`;
END;
