/**
 * Check-in and the customer queue (issue 6): checks and the purchase allotment before a customer
 * joins the queue, the queue itself (order, caregiver nesting, removal) and its live event.
 *
 * Amounts are integers in their unit: mg (weight), mg_thc (milligrams of THC) or plants.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const idText = z.string().min(1).max(40);
export const checkInTypeSchema = z.enum(['adult_use', 'medical', 'medical_recommendation', 'caregiver']);
export type CheckInType = z.infer<typeof checkInTypeSchema>;
/** Where a caregiver's patient is kept: on the caregiver's profile, or as a customer of their own. */
export const patientKindSchema = z.enum(['customer', 'caregiver_patient']);
export type PatientKind = z.infer<typeof patientKindSchema>;
export const allotmentUnitSchema = z.enum(['mg', 'mg_thc', 'plants']);
export type AllotmentUnit = z.infer<typeof allotmentUnitSchema>;

export const queueAllotmentSchema = z.object({
  limitId: z.string(),
  label: z.string(),
  amount: z.number().int().nonnegative(),
  unit: allotmentUnitSchema,
  ceiling: z.number().int().nonnegative(),
});
export type QueueAllotment = z.infer<typeof queueAllotmentSchema>;

export const queueEntrySchema = z.object({
  id: z.string(),
  customerId: z.string(),
  displayName: z.string(),
  initials: z.string(),
  /** The customer's photo (the profile photo or the captured ID), when it is an image a screen can show; initials otherwise. */
  photoDocumentId: z.string().nullable(),
  checkedInAs: checkInTypeSchema,
  parentEntryId: z.string().nullable(),
  checkedInAt: z.number().int(),
  checkedInByName: z.string().nullable(),
  allotmentSource: z.enum(['state_system', 'manual', 'legal_limits', 'not_required']),
  allotments: z.array(queueAllotmentSchema),
  /** Warnings from the profile, shown on the tile. */
  warnings: z.array(z.string()),
  /** A caregiver checked in for one of their patients (kept on their profile, or a customer of their own): that patient's name. */
  forPatient: z.string().nullable(),
  /** A caregiver checked in to buy for themselves, on their own patient card. */
  forSelf: z.boolean(),
  /** The station of the store hub serving this customer now (its claim's lease runs), else null. */
  servedBy: z.string().nullable(),
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;

export const queueViewSchema = z.object({
  /** Top-level entries in queue order, each followed in `entries` by its nested patients. */
  entries: z.array(queueEntrySchema),
  showClearButton: z.boolean(),
  /** Bumped by every change: a screen ignores an older view than the one it shows. */
  version: z.number().int(),
});
export type QueueView = z.infer<typeof queueViewSchema>;

export const checkInRefusalSchema = z.object({
  code: z.enum([
    'banned',
    'identification_expired',
    'identification_unknown',
    'under_age',
    'needs_caregiver',
    'medical_document_expired',
    'medical_id_missing',
    'no_rule',
    'already_checked_in',
    'patient_not_found',
    'state_refused',
    'trace_down_no_sales',
    'state_unreadable',
    'patient_record',
  ]),
  message: z.string(),
});
export type CheckInRefusal = z.infer<typeof checkInRefusalSchema>;

export const allotmentProposalSchema = z.object({
  /**
   * state_system: the remaining allotment from the state system (found); not_found: the card is
   * unknown there (0, check-in impossible); refused: the state refused the card (expired...);
   * offline: no answer; legal_limits: the jurisdiction's maximums; not_required: buys for a patient.
   */
  status: z.enum(['state_system', 'not_found', 'refused', 'offline', 'legal_limits', 'not_required', 'unreadable']),
  limits: z.array(queueAllotmentSchema),
  message: z.string().nullable(),
  cardId: z.string().nullable(),
  caregiverCardId: z.string().nullable(),
  fetchedAt: z.number().int().nullable(),
  /** unreadable only: the state system's answer as it came (field → text), for a manager. */
  stateAnswer: z.record(z.string(), z.string()).nullable().optional(),
  /** Offline only: whether the rules allow selling while the state system is down. */
  sellWhileTraceDown: z.boolean().nullable(),
  /** Offline only: the last figure the state system gave, and this register's sales since. */
  lastKnown: z
    .object({ amountMg: z.number().int(), at: z.number().int(), soldSinceMg: z.number().int(), suggestedMg: z.number().int() })
    .nullable(),
});
export type AllotmentProposal = z.infer<typeof allotmentProposalSchema>;

export const checkInPreparationSchema = z.object({
  customerId: z.string(),
  displayName: z.string(),
  customerType: checkInTypeSchema,
  as: checkInTypeSchema,
  /** Types this customer may be checked in as. */
  options: z.array(checkInTypeSchema),
  age: z.number().int().nullable(),
  profileLabel: z.string().nullable(),
  refusals: z.array(checkInRefusalSchema),
  warnings: z.array(z.string()),
  notes: z.string().nullable(),
  nestUnder: z.object({ entryId: z.string(), displayName: z.string() }).nullable(),
  allotment: allotmentProposalSchema,
  /**
   * A caregiver: their patients, any of whom they may be checked in for (the allotment is then that
   * patient's), and the one chosen. `kind` says where the patient is kept: on the caregiver's
   * profile (caregiver_patient), or a customer in their own right linked to this caregiver
   * (customer). A caregiver with their own patient card may instead be checked in as medical: for themselves.
   */
  patients: z.array(z.object({ kind: patientKindSchema, id: z.string(), displayName: z.string(), medicalLicence: z.string(), problem: z.string().nullable() })),
  patient: z.object({ kind: patientKindSchema, id: z.string(), displayName: z.string(), medicalLicence: z.string() }).nullable(),
});
export type CheckInPreparation = z.infer<typeof checkInPreparationSchema>;

export const queueCustomerHitSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  customerType: checkInTypeSchema,
  dateOfBirth: z.string(),
  inQueue: z.boolean(),
});
export type QueueCustomerHit = z.infer<typeof queueCustomerHitSchema>;

export const queueCalls = {
  'queue.list': { request: z.object({}).strict(), response: queueViewSchema },
  /** Quick search by name for the Queue screen's "Check in a customer". */
  'queue.findCustomers': {
    request: z.object({ query: z.string().trim().min(1).max(80), limit: z.number().int().min(1).max(50).default(10) }).strict(),
    response: z.array(queueCustomerHitSchema),
  },
  /** Run the check-in checks and look up the allotment; nothing joins the queue yet. */
  'queue.checkIn.prepare': {
    request: z.object({ customerId: idText, as: checkInTypeSchema.optional(), patientId: idText.optional(), patientKind: patientKindSchema.optional() }).strict(),
    response: checkInPreparationSchema,
  },
  'queue.checkIn': {
    request: z
      .object({
        commandId: commandIdSchema,
        customerId: idText,
        as: checkInTypeSchema,
        /** A caregiver checked in for one of their patients: its id, and where it is kept (default: on the caregiver's profile). */
        patientId: idText.optional(),
        patientKind: patientKindSchema.optional(),
        /** What the person agreed to, per limit; only lowering from the proposal is allowed. */
        allotments: z.array(z.object({ limitId: z.string().min(1).max(60), amount: z.number().int().nonnegative() }).strict()).max(20),
        /** Offline only: allotments typed by hand after confirming the medical ID and both warnings. */
        manual: z
          .object({ confirmedCardId: z.string().trim().min(1).max(40), acknowledgedWarnings: z.literal(true) })
          .strict()
          .optional(),
      })
      .strict(),
    response: queueEntrySchema,
  },
  'queue.reorder': {
    request: z.object({ commandId: commandIdSchema, order: z.array(idText).min(1).max(500) }).strict(),
    response: queueViewSchema,
  },
  'queue.remove': { request: z.object({ commandId: commandIdSchema, entryId: idText }).strict(), response: queueViewSchema },
  'queue.clear': { request: z.object({ commandId: commandIdSchema }).strict(), response: queueViewSchema },
  'queue.settings.save': {
    request: z.object({ commandId: commandIdSchema, showClearButton: z.boolean() }).strict(),
    response: queueViewSchema,
  },
} as const;

export const queueEvents = {
  /** The whole queue after any change, sent to every open screen. */
  'queue.changed': queueViewSchema,
} as const;
