/**
 * Customers in the core: matching a scanned licence to profiles, search, profiles of every
 * customer type, caregivers' patients, drafts, documents and per-customer history.
 *
 * SQL stays here (plain better-sqlite3 with cached statements): searches are prefix ranges on
 * the normalised, indexed columns of drizzle/0005_customers_columns.sql. Every write goes
 * through applyCommand, so it is applied once per commandId and audited with the employee.
 */
import { CustomerRescan } from './rescan.js';

/**
 * The customers service, split by use case: ./base.ts (settings, statements), ./search.ts,
 * ./licence-scan.ts, ./patients.ts, ./drafts.ts, ./attachments.ts (documents), ./profile.ts,
 * ./writes.ts (create, update), ./duplicates.ts, ./import.ts, ./rescan.ts (a returning customer's licence); shared types and helpers in ./shared.ts.
 */
export class CustomerService extends CustomerRescan {}

/** A blank profile form: one definition shared with the screens (the contract). */
export { emptyForm } from '../../preload/contract/customers.js';
export { displayName, type CustomerServiceDeps, type RecentCheckIn } from './shared.js';
