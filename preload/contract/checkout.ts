/**
 * Checkout (issue 8): the catalog, open tickets, the allotment meter, payment, receipts, voids
 * and returns.
 *
 * A ticket lives in the core while it is open, saved to disk as it changes so it comes back after a
 * restart (`restoredAt`). Its sale's commandId is made by the screen when it
 * opens the ticket (`saleCommandId`) and sent again with `checkout.sale.complete`, so a completion
 * retried after a timeout is applied once. Money is integer cents, weights milligrams, rates basis
 * points. A line the rules refuse comes back as `refusal` (nothing changed), with the reason and
 * whether a manager may override it.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const id = z.string().min(1).max(40);
const quantity = z.number().int().min(1, 'A quantity is at least 1.').max(999, 'A quantity is at most 999.');
const grantId = z.string().min(1).max(64).optional();
/** Why a manager approved (with a grant, where the refusal says reasonRequired). */
const approvalReason = z.string().trim().min(1).max(500).optional();

export const tenderKindSchema = z.enum(['cash', 'debit', 'credit', 'gift_card', 'other']);
export type TenderKind = z.infer<typeof tenderKindSchema>;

export const catalogProductSchema = z.object({
  id: z.string(),
  traceBarcode: z.string(),
  upc: z.string().nullable(),
  name: z.string(),
  category: z.string(),
  unitWeightMg: z.number().int(),
  usableWeightMg: z.number().int(),
  thcValue: z.number().int(),
  thcUnit: z.enum(['mg', 'pct_x100']),
  priceCents: z.number().int(),
  soldMedical: z.boolean(),
  soldAdultUse: z.boolean(),
  onHand: z.number().int(),
});
export type CatalogProductView = z.infer<typeof catalogProductSchema>;

export const limitUnitSchema = z.enum(['mg', 'mg_thc', 'plants']);

export const meterRowSchema = z.object({
  limitId: z.string(),
  label: z.string(),
  unit: limitUnitSchema,
  /** "per transaction", "per day at this store", "per 14 days". */
  windowText: z.string(),
  ceiling: z.number().int(),
  available: z.number().int(),
  onTicket: z.number().int(),
  remaining: z.number().int(),
  source: z.enum(['state_system', 'register']),
  stateFetchedAt: z.number().int().nullable(),
  overridden: z.boolean(),
  categories: z.array(z.string()),
});
export type MeterRowView = z.infer<typeof meterRowSchema>;

export const refusalSchema = z.object({
  code: z.enum(['category_not_allowed', 'not_sold_to_customer', 'out_of_stock', 'over_limit', 'needs_patient', 'needs_approval', 'needs_allotment']),
  message: z.string(),
  limitId: z.string().optional(),
  overridable: z.boolean(),
  /** The manager's approval must say why (recorded with the sale). */
  reasonRequired: z.boolean().optional(),
});
export type RefusalView = z.infer<typeof refusalSchema>;

/** A tax on one line: its rate in parts per million (86_250 = 8.625%, see rates.ts) and the cents charged. */
export const lineTaxSchema = z.object({ taxId: z.string(), label: z.string(), ratePpm: z.number().int(), cents: z.number().int() });

export const ticketLineSchema = z.object({
  lineId: z.string(),
  productId: z.string(),
  name: z.string(),
  traceBarcode: z.string(),
  category: z.string(),
  quantity: z.number().int(),
  onHand: z.number().int(),
  unitPriceCents: z.number().int(),
  grossCents: z.number().int(),
  groupDiscountCents: z.number().int(),
  lineDiscountCents: z.number().int(),
  /** The line's share of the rewards points redeemed (issue 9). */
  rewardsDiscountCents: z.number().int(),
  discountReason: z.string().nullable(),
  netCents: z.number().int(),
  taxes: z.array(lineTaxSchema),
  taxCents: z.number().int(),
  totalCents: z.number().int(),
  overriddenLimits: z.array(z.string()),
});
export type TicketLineView = z.infer<typeof ticketLineSchema>;

export const patientOptionSchema = z.object({
  kind: z.enum(['customer', 'caregiver_patient']),
  id: z.string(),
  name: z.string(),
  licence: z.string().nullable(),
  licenceExpires: z.string().nullable(),
  /** Why this patient cannot be chosen (expired card...), or null. */
  problem: z.string().nullable(),
  /** The caregiver themselves, on their own patient card (a caregiver who is also a patient), or as adult use (`as`). */
  self: z.boolean().optional(),
  /** The caregiver themselves: as a medical patient on their own card (the default), or as an adult-use customer. */
  as: z.enum(['medical', 'adult_use']).optional(),
});
export type PatientOption = z.infer<typeof patientOptionSchema>;

export const allotmentStatusSchema = z.object({
  /** manual: the state system is down and the budtender typed the allotment after confirming the medical ID. */
  state: z.enum(['not_required', 'checking', 'state_system', 'offline', 'manual', 'not_found', 'refused']),
  message: z.string(),
  fetchedAt: z.number().int().nullable(),
});

/**
 * The register's Purchase Allotment pop-up, for a holder (the patient) whose allotment the state
 * system keeps: the medical ID to confirm, the most that may be typed, the last figure as a
 * suggestion while the state system is down, and the figure typed by hand, if any.
 */
export const allotmentEntrySchema = z.object({
  holderName: z.string(),
  cardId: z.string().nullable(),
  /** The legal limit: a figure typed by hand is never above it. */
  ceilingMg: z.number().int(),
  /** The state system's own figure (found), in mg. */
  stateAmountMg: z.number().int().nullable(),
  /** While the state system is down: its last figure less this register's sales since, or null. */
  lastKnown: z
    .object({ amountMg: z.number().int(), at: z.number().int(), soldSinceMg: z.number().int(), suggestedMg: z.number().int() })
    .nullable(),
  /** The figure typed by hand (at this register, or at check-in), or null. */
  manual: z
    .object({ amountMg: z.number().int(), enteredAt: z.number().int(), enteredByName: z.string().nullable(), via: z.enum(['register', 'check_in']) })
    .nullable(),
  /** Why no sale can be made on this allotment yet (not found, refused, the state system down), or null. */
  blocked: z.string().nullable(),
});
export type AllotmentEntryView = z.infer<typeof allotmentEntrySchema>;

export const ticketSchema = z.object({
  ticketId: z.string(),
  saleCommandId: z.string(),
  openedAt: z.number().int(),
  customer: z.object({
    id: z.string(),
    displayName: z.string(),
    customerType: z.string(),
    licence: z.string().nullable(),
  }),
  /** The rules profile in force (the patient's on a caregiver sale). */
  profileLabel: z.string(),
  channel: z.enum(['medical', 'adult_use']),
  jurisdiction: z.string(),
  needsPatient: z.boolean(),
  patient: patientOptionSchema.nullable(),
  patients: z.array(patientOptionSchema),
  allotment: allotmentStatusSchema,
  /** The queue entry the customer was checked in under, or null: added straight to the ticket (the register then shows the allotment pop-up). */
  queueEntryId: z.string().nullable(),
  /** The Purchase Allotment pop-up's facts when the state system keeps the holder's allotment; else null. */
  allotmentEntry: allotmentEntrySchema.nullable(),
  groups: z.array(z.string()),
  groupDiscount: z.object({ label: z.string(), basisPoints: z.number().int() }).nullable(),
  notices: z.array(z.string()),
  /** Rewards points redeemed on this ticket (issue 9): the points, the discount, and why less than chosen. */
  rewards: z.object({ points: z.number().int(), discountCents: z.number().int(), note: z.string().nullable() }).nullable(),
  lines: z.array(ticketLineSchema),
  totals: z.object({
    grossCents: z.number().int(),
    discountCents: z.number().int(),
    netCents: z.number().int(),
    taxCents: z.number().int(),
    totalCents: z.number().int(),
    taxSummary: z.array(z.object({ label: z.string(), cents: z.number().int() })),
  }),
  meter: z.array(meterRowSchema),
  /** The stated rounding rule, printed under the totals. */
  rounding: z.string(),
  /** The store sells to medical patients while the state system is down (Settings › Track & Trace; check-in reads the same). */
  sellWhileTraceDown: z.boolean(),
  /** When this ticket was brought back from disk after the register restarted, or null. */
  restoredAt: z.number().int().nullable(),
});
export type TicketView = z.infer<typeof ticketSchema>;

/** A ticket saved before a restart that was not brought back: unreadable, or left open since an earlier day. */
export const unrestoredTicketSchema = z.object({
  ticketId: z.string(),
  reason: z.enum(['unreadable', 'left_open']),
  openedAt: z.number().int(),
  savedAt: z.number().int(),
  customerName: z.string().nullable(),
});
export type UnrestoredTicketView = z.infer<typeof unrestoredTicketSchema>;

export const ticketChangeSchema = z.object({ ticket: ticketSchema, refusal: refusalSchema.nullable() });
export type TicketChange = z.infer<typeof ticketChangeSchema>;

export const receiptSchema = z.object({
  saleId: z.string(),
  receiptNumber: z.number().int(),
  status: z.enum(['completed', 'voided']),
  storeName: z.string(),
  completedAt: z.number().int(),
  businessDate: z.string(),
  timeZone: z.string(),
  employeeName: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  channel: z.enum(['medical', 'adult_use']),
  patientName: z.string().nullable(),
  patientLicence: z.string().nullable(),
  caregiverLicence: z.string().nullable(),
  lines: z.array(
    z.object({
      saleLineId: z.string(),
      name: z.string(),
      traceBarcode: z.string(),
      quantity: z.number().int(),
      returnedQuantity: z.number().int(),
      /** Net plus tax already refunded on this line (so the screen shows the exact refund before a return). */
      returnedCents: z.number().int(),
      unitPriceCents: z.number().int(),
      grossCents: z.number().int(),
      discountCents: z.number().int(),
      netCents: z.number().int(),
      taxCents: z.number().int(),
      taxes: z.array(z.object({ label: z.string(), ratePpm: z.number().int(), cents: z.number().int() })),
    }),
  ),
  grossCents: z.number().int(),
  discountCents: z.number().int(),
  netCents: z.number().int(),
  taxCents: z.number().int(),
  totalCents: z.number().int(),
  taxSummary: z.array(z.object({ label: z.string(), cents: z.number().int() })),
  tenders: z.array(z.object({ kind: tenderKindSchema, tenderedCents: z.number().int(), appliedCents: z.number().int(), changeCents: z.number().int(), reference: z.string().nullable() })),
  changeCents: z.number().int(),
  rounding: z.string(),
  returns: z.array(
    z.object({
      kind: z.enum(['void', 'return']),
      at: z.number().int(),
      refundCents: z.number().int(),
      refundTender: tenderKindSchema,
      reason: z.string(),
      /** What went back to stock (an inventory movement each). */
      lines: z.array(z.object({ saleLineId: z.string(), name: z.string(), traceBarcode: z.string(), quantity: z.number().int() })),
      /** The refund's (or void's) track-and-trace outbox row: null when the sale is not reported. */
      trace: z.object({ state: z.string(), remoteTxnId: z.string().nullable() }).nullable(),
    }),
  ),
  /** Track-and-trace: null when the sale is not reported (adult use). */
  trace: z.object({ state: z.string(), remoteTxnId: z.string().nullable() }).nullable(),
  /** Same business day and not voided or returned: a manager may void it. */
  voidable: z.boolean(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const saleSummarySchema = z.object({
  saleId: z.string(),
  receiptNumber: z.number().int(),
  status: z.enum(['completed', 'voided']),
  customerName: z.string(),
  totalCents: z.number().int(),
  completedAt: z.number().int(),
  channel: z.enum(['medical', 'adult_use']),
});

/** `as` tells a caregiver's two ways of buying for themselves apart (own patient card, or adult use). */
const patientChoice = z.object({ kind: z.enum(['customer', 'caregiver_patient']), id, as: z.enum(['medical', 'adult_use']).optional() }).strict();

export const checkoutCalls = {
  'checkout.products.search': {
    request: z.object({ query: z.string().trim().max(80), limit: z.number().int().min(1).max(100).default(30) }).strict(),
    response: z.array(catalogProductSchema),
  },
  /** A 16-digit BioTrack barcode id or a UPC/EAN. */
  'checkout.products.byBarcode': {
    request: z.object({ code: z.string().trim().min(1).max(64) }).strict(),
    response: catalogProductSchema,
  },
  /** Open a ticket for a customer; a caregiver names the patient now or with setPatient. */
  'checkout.ticket.open': {
    request: z
      .object({ saleCommandId: commandIdSchema, customerId: id, patient: patientChoice.optional(), queueEntryId: id.optional() })
      .strict(),
    response: ticketSchema,
  },
  'checkout.ticket.get': { request: z.object({ ticketId: id }).strict(), response: ticketSchema },
  /** Tickets open on this register (so a screen reload finds them). */
  'checkout.ticket.list': { request: z.object({}).strict(), response: z.array(ticketSchema) },
  'checkout.ticket.setPatient': {
    request: z.object({ ticketId: id, patient: patientChoice }).strict(),
    response: ticketSchema,
  },
  /** Look the patient's allotment up again in the state system. */
  'checkout.ticket.refreshAllotment': { request: z.object({ ticketId: id }).strict(), response: ticketSchema },
  /**
   * The state system is down and the store sells while it is: the budtender typed the medical ID
   * from the card (it must match the profile), accepted the two cautions, and typed the allotment
   * (never above the legal limit). Audited.
   */
  'checkout.ticket.manualAllotment': {
    request: z
      .object({
        ticketId: id,
        confirmedCardId: z.string().trim().min(1).max(40),
        amountMg: z.number().int().min(0).max(10_000_000),
        acknowledgedWarnings: z.literal(true),
      })
      .strict(),
    response: ticketSchema,
  },
  /** A scanned code (routed here by content) or a typed barcode. */
  'checkout.ticket.scan': {
    request: z.object({ ticketId: id, code: z.string().trim().min(1).max(64), quantity: quantity.default(1), limitOverrideGrantId: grantId, approvalReason }).strict(),
    response: ticketChangeSchema,
  },
  'checkout.ticket.addProduct': {
    request: z.object({ ticketId: id, productId: id, quantity: quantity.default(1), limitOverrideGrantId: grantId, approvalReason }).strict(),
    response: ticketChangeSchema,
  },
  'checkout.ticket.setQuantity': {
    request: z.object({ ticketId: id, lineId: id, quantity, limitOverrideGrantId: grantId, approvalReason }).strict(),
    response: ticketChangeSchema,
  },
  'checkout.ticket.removeLine': { request: z.object({ ticketId: id, lineId: id }).strict(), response: ticketSchema },
  /** Rewards (issue 9): redeem this many points on the ticket as a discount before tax (0: none), under the store's rules. */
  'checkout.ticket.redeemPoints': {
    request: z.object({ ticketId: id, points: z.number().int().min(0).max(10_000_000) }).strict(),
    response: ticketSchema,
  },
  /** A line discount needs manager_override (or a grant for 'checkout.discount'). */
  'checkout.ticket.discountLine': {
    request: z
      .object({
        ticketId: id,
        lineId: id,
        discount: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('percent'), basisPoints: z.number().int().min(1).max(10_000) }).strict(),
          z.object({ kind: z.literal('amount'), cents: z.number().int().min(1).max(10_000_000) }).strict(),
          z.object({ kind: z.literal('none') }).strict(),
        ]),
        reason: z.string().trim().min(3, 'Say why in a few words.').max(200),
        grantId,
      })
      .strict(),
    response: ticketSchema,
  },
  'checkout.ticket.discard': { request: z.object({ ticketId: id }).strict(), response: z.object({ discarded: z.literal(true) }) },
  /** Tickets saved before a restart that were not brought back (staff ring them up again if need be). */
  'checkout.ticket.unrestored': { request: z.object({}).strict(), response: z.array(unrestoredTicketSchema) },
  /** Staff have seen the notice: the saved ticket is deleted (and audited). */
  'checkout.ticket.dismissUnrestored': { request: z.object({ ticketId: id }).strict(), response: z.object({ dismissed: z.literal(true) }) },
  /** Pay and write the sale. commandId must be the ticket's saleCommandId. */
  'checkout.sale.complete': {
    request: z
      .object({
        commandId: commandIdSchema,
        ticketId: id,
        tenders: z
          .array(z.object({ kind: tenderKindSchema, amountCents: z.number().int().min(1).max(100_000_000), reference: z.string().trim().max(60).nullable().optional() }).strict())
          .min(1, 'Take a payment first.')
          .max(10),
      })
      .strict(),
    response: receiptSchema,
  },
  'checkout.sale.get': { request: z.object({ saleId: id }).strict(), response: receiptSchema },
  'checkout.sale.recent': {
    request: z.object({ limit: z.number().int().min(1).max(200).default(30) }).strict(),
    response: z.array(saleSummarySchema),
  },
  /** The whole sale, the same business day; manager_override or a grant for 'checkout.void'. */
  'checkout.sale.void': {
    request: z.object({ commandId: commandIdSchema, saleId: id, reason: z.string().trim().min(3, 'Say why in a few words.').max(300), grantId }).strict(),
    response: receiptSchema,
  },
  /** Lines back to inventory and a refund; manager_override or a grant for 'checkout.return'. */
  'checkout.sale.return': {
    request: z
      .object({
        commandId: commandIdSchema,
        saleId: id,
        lines: z.array(z.object({ saleLineId: id, quantity }).strict()).min(1).max(100),
        reason: z.string().trim().min(3, 'Say why in a few words.').max(300),
        refundTender: tenderKindSchema,
        grantId,
      })
      .strict(),
    response: receiptSchema,
  },
} as const;

export const checkoutEvents = {
  /** A sale was completed, voided or returned (receipt lists refresh). */
  'checkout.salesChanged': z.object({ saleId: z.string() }),
} as const;
