/**
 * Checkout in the core: open tickets (in memory, one register), the catalog, and the sale
 * transaction. Pricing, taxes and limits come from the pure engine (./engine.ts) over the
 * jurisdiction rules; this file gathers the facts (customer, patient, products on hand, allotment
 * used, the state's figure) and writes the sale.
 *
 * Completing a sale writes the sale, its lines, taxes, tenders, inventory movements, allotment
 * uses, the track-and-trace outbox row (medical) and the queue entry's exit in ONE immediate
 * transaction through applyCommand, keyed by the commandId the screen made when it opened the
 * ticket: a retried completion returns the sale already written.
 */
import { CheckoutReturns } from './returns.js';

/**
 * The checkout service, split by use case: ./base.ts (state, settings, catalog), ./facts.ts (customer,
 * patient, limits), ./tickets.ts (open tickets), ./complete.ts (the sale transaction), ./returns.ts
 * (receipts, voids, returns).
 */
export class CheckoutService extends CheckoutReturns {}

export {
  DISCOUNT_ACTION,
  LIMIT_OVERRIDE_ACTION,
  VOID_ACTION,
  RETURN_ACTION,
  localDate,
  statedToMilligrams,
  money,
  type AllotmentAnswer,
  type AllotmentSource,
  type TraceOutbox,
  type QueueLink,
  type CheckoutDeps,
} from './types.js';
