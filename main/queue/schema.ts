/**
 * The customer queue (issue 6): who is checked in, in which order, nested under which caregiver,
 * with the purchase allotment agreed at check-in; and every allotment lookup made at check-in (the
 * last figure the state system gave for a card is the offline suggestion's starting point).
 *
 * An entry is never deleted: leaving the queue sets removed_at and why, so the audit log and the
 * entry agree. Amounts are integers in their unit: mg (weight), mg_thc (THC) or plants.
 */
import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { customers, employees } from '../store/schema.js';

export const queueEntries = sqliteTable(
  'queue_entries',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    /** The customer type this visit is served as (a patient may also buy as adult use). */
    checkedInAs: text('checked_in_as', { enum: ['adult_use', 'medical', 'medical_recommendation', 'caregiver'] }).notNull(),
    /** A patient checked in after their caregiver: the caregiver's entry. */
    parentEntryId: text('parent_entry_id'),
    /** Order of the queue (top-level entries); children keep check-in order under their parent. */
    position: integer('position').notNull(),
    checkedInAt: integer('checked_in_at').notNull(),
    checkedInBy: text('checked_in_by').references(() => employees.id),
    allotmentSource: text('allotment_source', { enum: ['state_system', 'manual', 'legal_limits', 'not_required'] }).notNull(),
    /** The medical card looked up, and the caregiver's card it was looked up with. */
    cardId: text('card_id'),
    caregiverCardId: text('caregiver_card_id'),
    /** A caregiver checked in for one of the patients kept on their profile (caregiver_patients): that patient. */
    caregiverPatientId: text('caregiver_patient_id'),
    /** A caregiver checked in for a patient who is a customer in their own right (customer_caregivers): that customer. */
    patientCustomerId: text('patient_customer_id').references(() => customers.id),
    removedAt: integer('removed_at'),
    removedBy: text('removed_by').references(() => employees.id),
    removedReason: text('removed_reason', { enum: ['removed', 'cleared', 'served'] }),
  },
  (t) => [index('queue_entries_open').on(t.removedAt, t.position), index('queue_entries_customer').on(t.customerId, t.removedAt)],
);

export const queueAllotments = sqliteTable(
  'queue_allotments',
  {
    entryId: text('entry_id')
      .notNull()
      .references(() => queueEntries.id),
    /** The jurisdiction rule's limit id (flower, usable_cannabis...). */
    limitId: text('limit_id').notNull(),
    label: text('label').notNull(),
    /** What the customer may still buy on this visit, in `unit`. */
    amount: integer('amount').notNull(),
    unit: text('unit', { enum: ['mg', 'mg_thc', 'plants'] }).notNull(),
    /** The ceiling at check-in: the state system's figure, else the legal limit. */
    ceiling: integer('ceiling').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.limitId] })],
);

export const checkinLookups = sqliteTable(
  'checkin_lookups',
  {
    id: text('id').primaryKey(),
    cardId: text('card_id').notNull(),
    caregiverCardId: text('caregiver_card_id'),
    outcome: text('outcome', { enum: ['found', 'not_found', 'refused', 'offline', 'unreadable'] }).notNull(),
    /** The remaining allotment in milligrams (found only). */
    amountMg: integer('amount_mg'),
    /** As the state system stated it (decimal text and its unit). */
    statedAmount: text('stated_amount'),
    statedUnit: text('stated_unit'),
    message: text('message'),
    at: integer('at').notNull(),
  },
  (t) => [index('checkin_lookups_card').on(t.cardId, t.at)],
);
