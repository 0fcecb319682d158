-- The sync status reads these counters instead of counting the outbox: triggers keep them in the
-- same transaction as every insert and state change. Archiving (a DELETE from trace_outbox that
-- inserts the same row into trace_outbox_archive) leaves them as they are: they count both tables.
INSERT INTO `trace_outbox_counts` (`location`, `state`, `n`)
  SELECT `location`, `state`, COUNT(*) FROM `trace_outbox` GROUP BY `location`, `state`;
--> statement-breakpoint
CREATE TRIGGER `trace_outbox_count_insert` AFTER INSERT ON `trace_outbox`
BEGIN
  INSERT INTO `trace_outbox_counts` (`location`, `state`, `n`) VALUES (NEW.`location`, NEW.`state`, 1)
    ON CONFLICT (`location`, `state`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `trace_outbox_count_update` AFTER UPDATE OF `state` ON `trace_outbox` WHEN OLD.`state` IS NOT NEW.`state`
BEGIN
  UPDATE `trace_outbox_counts` SET `n` = `n` - 1 WHERE `location` = OLD.`location` AND `state` = OLD.`state`;
  INSERT INTO `trace_outbox_counts` (`location`, `state`, `n`) VALUES (NEW.`location`, NEW.`state`, 1)
    ON CONFLICT (`location`, `state`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
-- Each location's highest acknowledged BioTrack transaction id: a new row's reconciliation window starts there.
INSERT INTO `trace_sync_marks` (`location`, `remote_high`)
  SELECT `location`, MAX(CAST(`remote_txn_id` AS INTEGER)) FROM `trace_outbox`
   WHERE `state` = 'acknowledged' AND `remote_txn_id` IS NOT NULL GROUP BY `location`;
