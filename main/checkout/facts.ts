/** Checkout: the facts a ticket is checked against (customer, patient, profile, allotment used, groups). */
import type { PatientOption } from '../../preload/contract/checkout.js';
import { CoreError } from '../core/errors.js';
import { identificationExpiredMessage, identificationUnknownMessage, underAgeMessage } from '../compliance/refusals.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { credentialNumberProblem, findCustomerProfile, type CustomerProfile, type CustomerType, type JurisdictionRules, type PurchaseLimit } from '../compliance/rules.js';
import { ageOn, type LimitUsage, type PricingContext } from './engine.js';
import { DEFAULT_GROUP_DISCOUNTS, DEFAULT_SENIOR_AGE, DAY_MS, type CustomerRow, type Holder, type OpenTicket, type PatientChoice } from './types.js';
import { CheckoutBase } from './base.js';
import { cachedStatement } from '../store/statements.js';

export abstract class CheckoutFacts extends CheckoutBase {
  protected customer(customerId: string): CustomerRow {
    const row = cachedStatement(this.db(),
        `SELECT id, customer_type AS customerType, first_name AS firstName, last_name AS lastName, nickname, date_of_birth AS dateOfBirth,
                identification_expires AS identificationExpires, medical_id AS medicalId, medical_id_expires AS medicalIdExpires,
                caregiver_id AS caregiverId, caregiver_id_expires AS caregiverIdExpires, licence_state AS licenceState, banned
           FROM customers WHERE id = ?`,
      )
      .get(customerId) as CustomerRow | undefined;
    if (!row) throw new CoreError('not_found', 'No such customer: search again or scan their ID.');
    return row;
  }

  protected checkCustomer(customer: CustomerRow, rules: JurisdictionRules, date: string): void {
    const name = `${customer.firstName} ${customer.lastName}`;
    if (customer.banned) throw new CoreError('conflict', `${name} is banned from this store: do not sell. Ask a manager.`);
    // The same refusals as check-in: every path to a sale (the queue, a ticket opened straight
    // from the register, payment) reads them here or there, with the same words.
    if (rules.identificationMustBeUnexpired.value && customer.identificationExpires && customer.identificationExpires < date) {
      throw new CoreError('conflict', identificationExpiredMessage(name, customer.identificationExpires, 'sell'));
    }
    // A caregiver whose caregiver card expired may still buy for themselves (their own patient card,
    // or adult use): only buying for a patient needs the caregiver card (patientsOf, choosePatient).
    if (customer.customerType === 'caregiver' && caregiverCardExpired(customer, date) && this.selfOptions(customer, date).every((option) => option.problem !== null)) {
      throw new CoreError('conflict', `${caregiverCardExpiredMessage(customer)} They hold no patient card or adult-use status of their own to buy for themselves.`);
    }
    const profile = this.profileFor(customer, rules, date);
    if (customer.customerType !== 'caregiver') {
      if (profile.credential.expiryChecked && customer.medicalIdExpires && customer.medicalIdExpires < date) {
        throw new CoreError('conflict', `${name}'s medical card expired on ${showStoreDate(customer.medicalIdExpires)}: they cannot buy as a patient until it is renewed.`);
      }
      // Checked again at sale: a number saved before the check (or edited in the database) gets no medical sale or exemption.
      const cardProblem = credentialNumberProblem(profile, customer.medicalId);
      if (cardProblem !== null) {
        throw new CoreError('conflict', `${name}'s medical card: ${cardProblem}, so they cannot buy as a ${profile.label} customer. Correct the Medical ID on their profile, or change their customer type.`);
      }
      if (profile.whoMayBuy.value === 'caregiver') {
        throw new CoreError('conflict', `${name} (${profile.label}) may buy only through a caregiver: open the caregiver's ticket and choose ${customer.firstName} as the patient.`);
      }
      // The adult buys on their own ticket with the minor as the patient, so the sale records both.
      if (profile.whoMayBuy.value === 'parent_guardian_or_caregiver') {
        throw new CoreError(
          'conflict',
          `${name} (${profile.label}) may buy only with a parent, guardian or caregiver: open that adult's ticket and choose ${customer.firstName} as the patient (on ${customer.firstName}'s profile, the adult must be chosen as Caregiver).`,
        );
      }
    }
    // Nobody can tell an ID without an expiry is valid (a minor, who has none, is refused above: they buy through an adult).
    if (rules.identificationMustBeUnexpired.value && !customer.identificationExpires) throw new CoreError('conflict', identificationUnknownMessage(name));
    const age = ageOn(customer.dateOfBirth, date, rules.leapDayBirthday.value);
    if (age < profile.minimumAge.value) {
      throw new CoreError('conflict', underAgeMessage(name, age, profile));
    }
  }

  /**
   * At payment the customer and the patient are read again: an ID that expired, an age not yet
   * reached, a ban or a patient's card that lapsed since the ticket opened stops the sale here,
   * whichever screen (or restored ticket) asks for it.
   */
  protected recheckBuyer(ticket: OpenTicket, now: number): void {
    const date = this.businessDate(now);
    const fresh = this.customer(ticket.customer.id);
    const name = `${fresh.firstName} ${fresh.lastName}`;
    if (fresh.customerType !== ticket.customer.customerType) {
      throw new CoreError('conflict', `${name}'s customer type changed since the ticket opened: discard this ticket and open ${fresh.firstName} again.`);
    }
    this.checkCustomer(fresh, this.rules(), date);
    const patient = ticket.patient;
    if (patient) {
      const option = this.patientsOf(fresh, date).find((p) => p.kind === patient.kind && p.id === patient.id && (p.as ?? 'medical') === (patient.as ?? 'medical'));
      if (!option) throw new CoreError('conflict', `${patient.name} is no longer one of ${name}'s patients: choose the patient again.`);
      if (option.problem) throw new CoreError('conflict', option.self !== true && caregiverCardExpired(fresh, date) ? option.problem : `${option.name} cannot be served: ${option.problem}`);
    }
  }

  protected profileFor(customer: { customerType: CustomerType; dateOfBirth: string | null; licenceState: string | null }, rules: JurisdictionRules, date: string): CustomerProfile {
    const age = customer.dateOfBirth ? ageOn(customer.dateOfBirth, date, rules.leapDayBirthday.value) : 18;
    // Unknown residency gets the stricter non-resident profile until the ID is scanned.
    const residency = customer.licenceState === null ? 'out_of_state' : customer.licenceState.toUpperCase() === rules.code ? 'in_state' : 'out_of_state';
    const profile =
      findCustomerProfile(rules, { customerType: customer.customerType, residency, ageYears: age }) ??
      findCustomerProfile(rules, { customerType: customer.customerType, residency: residency === 'in_state' ? 'out_of_state' : 'in_state', ageYears: age });
    if (!profile) {
      throw new CoreError('conflict', `${rules.name}'s rules have no profile for a ${customer.customerType.replace(/_/g, ' ')} customer aged ${age}: this customer cannot be served here.`);
    }
    return profile;
  }

  protected patientsOf(caregiver: CustomerRow, date: string): PatientOption[] {
    const db = this.db();
    const nested = cachedStatement(db,
        `SELECT id, first_name AS firstName, last_name AS lastName, medical_licence AS licence, licence_expires AS expires, date_of_birth AS dateOfBirth
           FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
      )
      .all(caregiver.id) as Array<{ id: string; firstName: string; lastName: string; licence: string; expires: string; dateOfBirth: string | null }>;
    const linked = cachedStatement(db,
        `SELECT c.id, c.first_name AS firstName, c.last_name AS lastName, c.medical_id AS licence, c.medical_id_expires AS expires, c.banned,
                c.customer_type AS customerType, c.date_of_birth AS dateOfBirth, c.licence_state AS licenceState
           FROM customers c
          WHERE c.id IN (SELECT patient_id FROM customer_caregivers WHERE caregiver_id = ? UNION SELECT customer_id FROM customer_profiles WHERE caregiver_customer_id = ?)
          ORDER BY c.last_name, c.first_name`,
      )
      .all(caregiver.id, caregiver.id) as Array<{
      id: string;
      firstName: string;
      lastName: string;
      licence: string | null;
      expires: string | null;
      banned: number;
      customerType: CustomerType;
      dateOfBirth: string | null;
      licenceState: string | null;
    }>;
    const rules = this.rules();
    // The patient's card number must fit the format of the patient's profile (California's MMIC).
    const cardProblem = (subject: { customerType: CustomerType; dateOfBirth: string | null; licenceState: string | null }, licence: string | null): string | null => {
      try {
        const found = credentialNumberProblem(this.profileFor(subject, rules, date), licence);
        return found === null ? null : `${found}: correct it on the patient's record.`;
      } catch {
        return null; // no profile: choosing the patient says why
      }
    };
    const problem = (licence: string | null, expires: string | null): string | null =>
      !licence ? 'No medical licence number on file.' : expires && expires < date ? `Card expired ${showStoreDate(expires)}: a patient is served only on a current card.` : null;
    const own = this.selfOptions(caregiver, date);
    // An expired caregiver card stops buying for patients only; the caregiver may still buy for themselves.
    const lapsed = caregiverCardExpired(caregiver, date) ? caregiverCardExpiredMessage(caregiver) : null;
    return [
      ...own,
      ...linked.map((row) => ({
        kind: 'customer' as const,
        id: row.id,
        name: `${row.firstName} ${row.lastName}`,
        licence: row.licence,
        licenceExpires: row.expires,
        problem: row.banned ? 'Banned from this store.' : (lapsed ?? problem(row.licence, row.expires) ?? cardProblem(row, row.licence)),
      })),
      ...nested.map((row) => ({
        kind: 'caregiver_patient' as const,
        id: row.id,
        name: `${row.firstName} ${row.lastName}`,
        licence: row.licence,
        licenceExpires: row.expires,
        // Without a birth date the register cannot tell a minor (whose rules differ) from an adult.
        problem:
          lapsed ??
          problem(row.licence, row.expires) ??
          (row.dateOfBirth === null
            ? `No birth date on file: enter it on ${caregiver.firstName} ${caregiver.lastName}'s profile (Customers → Caregiver-patients → Edit) before selling.`
            : cardProblem({ customerType: 'medical', dateOfBirth: row.dateOfBirth, licenceState: rules.code }, row.licence)),
      })),
    ];
  }

  /**
   * A caregiver's ways of buying for themselves: on their own patient card (as a medical patient),
   * and as an adult-use customer where their profile allows it. Neither needs the caregiver card.
   */
  protected selfOptions(caregiver: CustomerRow, date: string): PatientOption[] {
    const rules = this.rules();
    const name = `${caregiver.firstName} ${caregiver.lastName}`;
    const options: PatientOption[] = [];
    if (caregiver.medicalId) {
      let problem: string | null =
        caregiver.medicalIdExpires && caregiver.medicalIdExpires < date ? `Card expired ${showStoreDate(caregiver.medicalIdExpires)}: a patient is served only on a current card.` : null;
      if (problem === null) {
        try {
          const found = credentialNumberProblem(this.profileFor({ ...caregiver, customerType: 'medical' }, rules, date), caregiver.medicalId);
          problem = found === null ? null : `${found}: correct it on the patient's record.`;
        } catch {
          problem = null; // no profile: choosing says why
        }
      }
      options.push({ kind: 'customer', id: caregiver.id, name, licence: caregiver.medicalId, licenceExpires: caregiver.medicalIdExpires, problem, self: true });
    }
    const adultUse = cachedStatement(this.db(), 'SELECT adult_use AS adultUse FROM customers WHERE id = ?').get(caregiver.id) as { adultUse: number | null } | undefined;
    if (adultUse?.adultUse === 1 && rules.profiles.some((profile) => profile.match.customerType === 'adult_use')) {
      options.push({ kind: 'customer', id: caregiver.id, name, licence: null, licenceExpires: null, problem: null, self: true, as: 'adult_use' });
    }
    return options;
  }

  protected choosePatient(ticket: OpenTicket, choice: PatientChoice): void {
    const option = ticket.patients.find((patient) => patient.kind === choice.kind && patient.id === choice.id && (patient.as ?? 'medical') === (choice.as ?? 'medical'));
    if (!option) {
      throw new CoreError('conflict', `That patient is not one of ${ticket.customer.firstName} ${ticket.customer.lastName}'s patients: a caregiver buys only for their own patients.`);
    }
    if (option.problem) {
      const lapsed = option.self !== true && caregiverCardExpired(ticket.customer, this.businessDate(this.deps.clock()));
      throw new CoreError('conflict', lapsed ? option.problem : `${option.name} cannot be served: ${option.problem}`);
    }
    ticket.patient = option;
    ticket.blocked = null;
    ticket.stateFigure = null;
    ticket.manualAllotment = null;
    ticket.allotment = { state: 'not_required', message: 'No state allotment for this patient.', fetchedAt: null };
    this.rebuildContext(ticket);
  }

  /** A caregiver buying for someone else (not for themselves on their own patient card). */
  protected buysForPatient(ticket: OpenTicket): boolean {
    return ticket.customer.customerType === 'caregiver' && ticket.patient?.self !== true;
  }

  /** Who the allotment belongs to: the patient on a caregiver sale, else the customer. */
  protected holderOf(ticket: OpenTicket): Holder {
    if (ticket.customer.customerType === 'caregiver' && ticket.patient) {
      return { kind: ticket.patient.kind, id: ticket.patient.id, name: ticket.patient.name, cardId: ticket.patient.licence };
    }
    const c = ticket.customer;
    return { kind: 'customer', id: c.id, name: `${c.firstName} ${c.lastName}`, cardId: c.medicalId };
  }

  protected rebuildContext(ticket: OpenTicket): void {
    if (ticket.customer.customerType === 'caregiver' && !ticket.patient) {
      ticket.context = null;
      return;
    }
    const rules = this.rules();
    const now = this.deps.clock();
    const date = this.businessDate(now);
    let profileSubject: { customerType: CustomerType; dateOfBirth: string | null; licenceState: string | null } = ticket.customer;
    const notices: string[] = [];
    if (ticket.customer.customerType === 'caregiver' && ticket.patient) {
      if (ticket.patient.kind === 'customer') {
        const patient = this.customer(ticket.patient.id);
        // The caregiver for themselves: their own medical patient's rules, or adult use.
        profileSubject = ticket.patient.self ? { ...patient, customerType: ticket.patient.as ?? 'medical' } : patient;
      } else {
        // A caregiver's nested patient: an in-state patient of the age on their birth date (choosePatient refuses one without).
        const row = cachedStatement(this.db(), 'SELECT date_of_birth AS dateOfBirth FROM caregiver_patients WHERE id = ?').get(ticket.patient.id) as
          | { dateOfBirth: string | null }
          | undefined;
        if (!row?.dateOfBirth) throw new CoreError('conflict', `${ticket.patient.name} has no birth date on file: enter it on the caregiver's profile (Customers → Caregiver-patients → Edit) before selling.`);
        profileSubject = { customerType: 'medical', dateOfBirth: row.dateOfBirth, licenceState: rules.code };
      }
    } else if (ticket.customer.customerType === 'adult_use' && ticket.customer.licenceState === null && rules.profiles.some((p) => p.match.residency)) {
      notices.push('Residency unknown (no scanned ID state): the non-resident limits apply. Scan the ID to use resident limits.');
    }
    const profile = this.profileFor(profileSubject, rules, date);
    const holder = this.holderOf(ticket);
    const usage = new Map<string, LimitUsage>();
    for (const limit of profile.limits) {
      const priorUsed = this.priorUse(holder, limit, now, date);
      let stateRemaining: number | null = null;
      if (profile.stateSystemIsTruth.value && ticket.stateFigure && limit.unit === 'mg') {
        // Sales the state had not yet acknowledged when its figure was read are not in it.
        const windowStart = limit.window.kind === 'rolling_days' ? now - limit.window.days * DAY_MS : 0;
        const unreported = this.stmts().unreportedUse.get(holder.kind, holder.id, limit.id, windowStart, ticket.stateFigure.fetchedAt) as { total: number | null };
        stateRemaining = ticket.stateFigure.amountMg - (unreported.total ?? 0);
      }
      usage.set(limit.id, { priorUsed, stateRemaining, stateFetchedAt: ticket.stateFigure?.fetchedAt ?? null });
    }
    if (profile.stateSystemIsTruth.value && ticket.allotment.state === 'not_required') {
      ticket.allotment = { state: 'checking', message: 'Looking up the allotment in the state system…', fetchedAt: null };
    }
    ticket.notices = notices;
    ticket.context = {
      rules,
      profile,
      channel: profile.taxStack === 'adult_use' || profileSubject.customerType === 'adult_use' ? 'adult_use' : 'medical',
      date,
      storeRates: this.storeRates(rules),
      groupDiscount: this.groupDiscount(ticket.groups),
      usage,
    };
  }

  protected priorUse(holder: Holder, limit: PurchaseLimit, now: number, date: string): number {
    const s = this.stmts();
    switch (limit.window.kind) {
      case 'per_transaction':
        return 0;
      case 'calendar_day_per_retailer':
        return ((s.useOnDate.get(holder.kind, holder.id, limit.id, date) as { total: number | null } | undefined)?.total ?? 0);
      case 'rolling_days': {
        const since = now - limit.window.days * DAY_MS;
        const firstDay = this.businessDate(since);
        const days = (s.useDaysFrom.get(holder.kind, holder.id, limit.id, firstDay) as { total: number | null }).total ?? 0;
        // A business day spans at most 25 hours: its uses before `since` are within two days of it.
        const before = s.useBeforeOnDate.get({ kind: holder.kind, id: holder.id, limit: limit.id, from: since - 2 * DAY_MS, before: since, date: firstDay }) as {
          total: number | null;
        };
        return days - (before.total ?? 0);
      }
    }
  }

  protected groupsOf(customer: CustomerRow, date: string): string[] {
    const stored = (
      cachedStatement(this.db(), 'SELECT g.name FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id = ? ORDER BY g.name')
        .all(customer.id) as Array<{ name: string }>
    ).map((row) => row.name);
    // The automatic senior group: JSON null means the store turned it off (Settings › Customer profiles).
    const seniorAgeSetting = this.jsonSetting('customers.seniorAge');
    const seniorAge = seniorAgeSetting === null ? null : typeof seniorAgeSetting === 'number' ? seniorAgeSetting : DEFAULT_SENIOR_AGE;
    if (seniorAge !== null && ageOn(customer.dateOfBirth, date, this.rules().leapDayBirthday.value) >= seniorAge && !stored.includes('senior')) stored.unshift('senior');
    return stored;
  }

  /** The best discount among the customer's groups (settings checkout.groupDiscounts: {"senior": 1000}). */
  protected groupDiscount(groups: string[]): PricingContext['groupDiscount'] {
    const setting = this.jsonSetting('checkout.groupDiscounts');
    const table: Record<string, number> =
      setting && typeof setting === 'object' && !Array.isArray(setting) ? (setting as Record<string, number>) : DEFAULT_GROUP_DISCOUNTS;
    let best: PricingContext['groupDiscount'] = null;
    for (const group of groups) {
      const basisPoints = table[group];
      if (typeof basisPoints === 'number' && Number.isInteger(basisPoints) && basisPoints > 0 && basisPoints <= 10_000 && (!best || basisPoints > best.basisPoints)) {
        best = { basisPoints, label: `${group[0]!.toUpperCase()}${group.slice(1)} ${basisPoints / 100}%` };
      }
    }
    return best;
  }

  protected openQueueEntry(customerId: string): string | null {
    try {
      const row = cachedStatement(this.db(), 'SELECT id FROM queue_entries WHERE customer_id = ? AND removed_at IS NULL AND parent_entry_id IS NULL ORDER BY checked_in_at LIMIT 1')
        .get(customerId) as { id: string } | undefined;
      return row?.id ?? null;
    } catch {
      return null; // no queue on this register yet
    }
  }
}

function caregiverCardExpired(customer: CustomerRow, date: string): boolean {
  return customer.customerType === 'caregiver' && customer.caregiverIdExpires !== null && customer.caregiverIdExpires < date;
}

/** Why an expired caregiver card stops buying for a patient, and what to do. */
function caregiverCardExpiredMessage(customer: CustomerRow): string {
  return `${customer.firstName} ${customer.lastName}'s caregiver card expired on ${showStoreDate(customer.caregiverIdExpires ?? '')}: they cannot buy for a patient until it is renewed (enter the new expiration on their profile).`;
}
