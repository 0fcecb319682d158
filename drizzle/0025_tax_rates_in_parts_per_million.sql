-- Tax rates move from whole basis points (625 = 6.25%) to parts per million of the price
-- (62500 = 6.25%), so a rate such as California's 8.625% is stored exactly. Every conversion is
-- × 100: exact, and one-to-one (tax_rates' unique index cannot collide).
-- 1. The rates charged on past sales (tax_rates, referenced by sale_taxes).
ALTER TABLE `tax_rates` RENAME COLUMN `basis_points` TO `rate_ppm`;--> statement-breakpoint
UPDATE `tax_rates` SET `rate_ppm` = `rate_ppm` * 100;--> statement-breakpoint
-- 2. The rates each store entered (settings tax.rates.<tax>: a JSON array of effective rates),
-- in their order; an element that is not such a rate is kept as it was.
UPDATE `settings`
   SET `value` = (
     SELECT json_group_array(
              CASE WHEN e.type = 'object' THEN
                CASE WHEN json_type(e.value, '$.basisPoints') = 'integer'
                     THEN json_remove(json_set(e.value, '$.ratePpm', json_extract(e.value, '$.basisPoints') * 100), '$.basisPoints')
                     ELSE json(e.value) END
              WHEN e.type = 'array' THEN json(e.value)
              ELSE e.value END
              ORDER BY e.key)
       FROM json_each(`settings`.`value`) e)
 WHERE `key` LIKE 'tax.rates.%' AND json_valid(`value`) AND json_type(`value`) = 'array';
