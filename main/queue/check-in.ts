/**
 * Check-in runs the refusals (banned, identification, age, medical document), then settles the
 * purchase allotment: the state system's remaining figure for a medical patient, the
 * jurisdiction's legal maximums otherwise. Staff may lower any figure; nothing may go above its
 * ceiling (the state's figure, else the legal limit).
 */
import type {
  AllotmentProposal,
  CheckInPreparation,
  CheckInRefusal,
  CheckInType,
  QueueAllotment,
  QueueEntry,
} from '../../preload/contract/queue.js';
import type { Employee } from '../../preload/api.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { findCustomerProfile, type CustomerProfile, type JurisdictionRules, type Residency } from '../compliance/rules.js';
import { ageOn } from '../licenses/checks.js';
import { newId } from '../store/ids.js';
import { captureCheckin } from '../hub-sync/capture.js';
import { statedToMilligrams, type AllotmentLookup } from './allotment-source.js';
import { lastKnownAllotment, medicalSalesSince, normaliseCard } from './last-known.js';
import { sellsWhileTraceDown } from '../compliance/trace-down.js';
import { identificationExpiredMessage, identificationUnknownMessage, underAgeMessage } from '../compliance/refusals.js';
import { showStoreDate } from '../../preload/contract/customers.js';
import { TYPE_LABEL, type CustomerFacts, type QueueContext } from './context.js';
import type { QueueListing } from './listing.js';
import { assessRecordPatient, caregiverCardLapsed, recordPatient, recordPatientsOf, type RecordPatient } from './caregiver-patients.js';
import type { PatientKind } from '../../preload/contract/queue.js';

/** A lookup older than this is made again before check-in. */
export const LOOKUP_FRESH_MS = 15 * 60_000;

interface Assessment {
  customer: CustomerFacts;
  as: CheckInType;
  options: CheckInType[];
  age: number | null;
  profile: CustomerProfile | null;
  refusals: CheckInRefusal[];
  nestUnder: { entryId: string; displayName: string; caregiverCardId: string | null } | null;
  /** The card to look up in the state system, when this check-in needs it. */
  lookup: { cardId: string; caregiverCardId: string | null } | null;
  rules: JurisdictionRules;
  /** A caregiver: the patients on their profile, and the one this check-in is for (its rules set the allotment). */
  patients: CheckInPreparation['patients'];
  patient: { row: RecordPatient; profile: CustomerProfile | null } | null;
}

interface LookupRow {
  outcome: AllotmentLookup['kind'];
  amountMg: number | null;
  message: string | null;
  at: number;
  /** unreadable: what the state system sent, for a manager (kept only for the pop-up that asked). */
  raw?: Record<string, string> | null;
}

export class QueueCheckIn {
  constructor(
    private readonly ctx: QueueContext,
    private readonly listing: QueueListing,
  ) {}

  async prepare(customerId: string, as: CheckInType | undefined, patientId?: string, patientKind?: PatientKind): Promise<CheckInPreparation> {
    const assessment = this.assess(customerId, as, patientId, patientKind);
    let lookupRow: LookupRow | null = null;
    if (assessment.lookup && assessment.refusals.length === 0) {
      const result = await this.ctx.deps.allotments.lookup(assessment.lookup);
      lookupRow = this.recordLookup(assessment.lookup, result, assessment.rules);
    }
    return this.preparation(assessment, lookupRow);
  }

  checkIn(
    actor: Employee,
    request: {
      commandId: string;
      customerId: string;
      as: CheckInType;
      patientId?: string | undefined;
      patientKind?: PatientKind | undefined;
      allotments: Array<{ limitId: string; amount: number }>;
      manual?: { confirmedCardId: string; acknowledgedWarnings: true };
    },
  ): QueueEntry {
    const db = this.ctx.deps.sqlite();
    const now = this.ctx.deps.clock();
    const { result } = applyCommand(
      db,
      { commandId: request.commandId, name: 'queue.checkIn', actorId: actor.id },
      () => {
        const assessment = this.assess(request.customerId, request.as, request.patientId, request.patientKind);
        let lookupRow: LookupRow | null = null;
        if (assessment.lookup && assessment.refusals.length === 0) {
          lookupRow = this.latestLookup(assessment.lookup, now - LOOKUP_FRESH_MS);
          if (!lookupRow) {
            throw new CoreError('conflict', 'The allotment was not looked up in the last 15 minutes: open the check-in again to look it up.');
          }
        }
        const preparation = this.preparation(assessment, lookupRow);
        if (preparation.refusals.length > 0) {
          throw new CoreError('conflict', `${preparation.displayName} cannot be checked in: ${preparation.refusals.map((r) => r.message).join(' ')}`, {
            refusals: preparation.refusals.map((r) => r.code),
          });
        }
        const proposal = preparation.allotment;
        let manual: { confirmedCardId: string } | null = null;
        if (proposal.status === 'offline') {
          if (!request.manual) {
            throw new CoreError('conflict', `${this.ctx.stateSystem()} is offline: confirm the medical ID and the two warnings, then type the allotment by hand.`);
          }
          if (normaliseCard(request.manual.confirmedCardId) !== normaliseCard(proposal.cardId ?? '')) {
            throw new CoreError('conflict', `The confirmed medical ID ${request.manual.confirmedCardId} does not match the profile's ${proposal.cardId ?? '(none)'}: check the card and the profile.`);
          }
          manual = { confirmedCardId: request.manual.confirmedCardId };
        }
        const agreed = proposal.limits.map((limit) => {
          const asked = request.allotments.find((item) => item.limitId === limit.limitId);
          const amount = asked ? asked.amount : limit.amount;
          if (amount > limit.ceiling) {
            throw new CoreError(
              'conflict',
              `${limit.label}: ${formatAmount(amount, limit.unit)} is above the limit of ${formatAmount(limit.ceiling, limit.unit)}. Lower it; an allotment can only be lowered.`,
              { limitId: limit.limitId, ceiling: limit.ceiling },
            );
          }
          return { ...limit, amount };
        });
        const unknown = request.allotments.find((item) => !proposal.limits.some((limit) => limit.limitId === item.limitId));
        if (unknown) throw new CoreError('invalid_message', `There is no limit "${unknown.limitId}" for this customer: refresh the check-in.`);

        const entryId = newId(now);
        const position = ((db.prepare('SELECT MAX(position) AS p FROM queue_entries WHERE removed_at IS NULL').get() as { p: number | null }).p ?? 0) + 1;
        const source: QueueEntry['allotmentSource'] =
          proposal.status === 'state_system' ? 'state_system' : proposal.status === 'offline' ? 'manual' : proposal.status === 'not_required' ? 'not_required' : 'legal_limits';
        db.prepare(
          `INSERT INTO queue_entries (id, customer_id, checked_in_as, parent_entry_id, position, checked_in_at, checked_in_by,
                                      allotment_source, card_id, caregiver_card_id, caregiver_patient_id, patient_customer_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          entryId,
          request.customerId,
          request.as,
          assessment.nestUnder?.entryId ?? null,
          position,
          now,
          actor.id,
          source,
          proposal.cardId,
          proposal.caregiverCardId,
          assessment.patient?.row.kind === 'caregiver_patient' ? assessment.patient.row.id : null,
          assessment.patient?.row.kind === 'customer' ? assessment.patient.row.id : null,
        );
        const insert = db.prepare('INSERT INTO queue_allotments (entry_id, limit_id, label, amount, unit, ceiling) VALUES (?, ?, ?, ?, ?, ?)');
        for (const limit of agreed) insert.run(entryId, limit.limitId, limit.label, limit.amount, limit.unit, limit.ceiling);
        captureCheckin(db, entryId);
        const lowered = agreed.filter((limit, index) => limit.amount < proposal.limits[index]!.amount).map((limit) => limit.limitId);
        const entry = this.listing.view().entries.find((candidate) => candidate.id === entryId)!;
        return {
          result: entry,
          audit: {
            action: manual ? 'queue.check_in_manual_allotment' : 'queue.check_in',
            customerId: request.customerId,
            details: {
              entryId,
              as: request.as,
              allotmentSource: source,
              allotments: agreed.map(({ limitId, amount, unit, ceiling }) => ({ limitId, amount, unit, ceiling })),
              lowered,
              nestedUnder: assessment.nestUnder?.entryId ?? null,
              ...(assessment.patient ? { patientId: assessment.patient.row.id, patientKind: assessment.patient.row.kind, patient: assessment.patient.row.displayName } : {}),
              ...(manual
                ? { manual: true, confirmedCardId: manual.confirmedCardId, offlineReason: proposal.message, lastKnown: proposal.lastKnown, warningsAcknowledged: true }
                : {}),
            },
          },
        };
      },
      now,
    );
    return result;
  }

  /** The checks that need no network: who, as what, which rule profile, what refuses. */
  private assess(customerId: string, requestedAs: CheckInType | undefined, patientId?: string, patientKind: PatientKind = 'caregiver_patient'): Assessment {
    const customer = this.ctx.customer(customerId);
    if (!customer) throw new CoreError('not_found', 'That customer is not in the register any more: search again.');
    const rules = this.ctx.rules();
    const today = this.ctx.today();
    const options: CheckInType[] = [customer.customerType];
    if (customer.adultUse && customer.customerType !== 'adult_use') options.push('adult_use');
    // A caregiver who holds their own patient card may buy for themselves, as a medical patient.
    if (customer.customerType === 'caregiver' && customer.medicalId) options.splice(1, 0, 'medical');
    const as = requestedAs ?? customer.customerType;
    if (!options.includes(as)) {
      throw new CoreError('invalid_message', `${customer.firstName} ${customer.lastName} cannot be checked in as ${TYPE_LABEL[as]}: their profile is ${TYPE_LABEL[customer.customerType]}.`);
    }
    let age: number | null = null;
    try {
      age = ageOn(customer.dateOfBirth, today);
    } catch {
      age = null;
    }
    const residency: Residency | null = customer.licenceState ? (customer.licenceState.trim().toUpperCase() === rules.code ? 'in_state' : 'out_of_state') : null;
    let profile = age === null ? null : findCustomerProfile(rules, { customerType: as, residency, ageYears: age });
    // Residency unknown: the stricter (non-resident) profile applies until the licence is scanned.
    if (!profile && residency === null && age !== null) {
      profile = findCustomerProfile(rules, { customerType: as, residency: 'out_of_state', ageYears: age }) ?? findCustomerProfile(rules, { customerType: as, residency: 'in_state', ageYears: age });
    }

    const name = `${customer.firstName} ${customer.lastName}`;
    const refusals: CheckInRefusal[] = [];
    if (customer.banned) refusals.push({ code: 'banned', message: `${name} is banned from this store: do not serve them. A manager can lift the ban in the profile.` });
    if (this.ctx.openEntryOf(customerId)) refusals.push({ code: 'already_checked_in', message: `${name} is already in the queue.` });
    else {
      // Checked in already through a caregiver buying for them: one allotment, one place in the queue.
      const through = this.ctx.deps
        .sqlite()
        .prepare(
          `SELECT c.first_name || ' ' || c.last_name AS name FROM queue_entries q JOIN customers c ON c.id = q.customer_id
            WHERE q.patient_customer_id = ? AND q.removed_at IS NULL LIMIT 1`,
        )
        .get(customerId) as { name: string } | undefined;
      if (through) refusals.push({ code: 'already_checked_in', message: `${name} is already in the queue: their caregiver ${through.name} is checked in to buy for them.` });
    }

    // A patient checked in after their caregiver is served through the caregiver.
    let nestUnder: Assessment['nestUnder'] = null;
    // Any of the patient's caregivers (Illinois: up to 3) who is in the queue, the earliest checked in.
    const caregiverIds = this.ctx.caregiversOf(customer);
    if (as === 'medical' && caregiverIds.length > 0) {
      const parent = this.ctx.deps
        .sqlite()
        .prepare(
          `SELECT q.id, c.first_name || ' ' || c.last_name AS name, c.caregiver_id AS caregiverId FROM queue_entries q JOIN customers c ON c.id = q.customer_id
            WHERE q.customer_id IN (${caregiverIds.map(() => '?').join(', ')}) AND q.removed_at IS NULL AND q.parent_entry_id IS NULL
              AND q.checked_in_as = 'caregiver' AND q.caregiver_patient_id IS NULL AND q.patient_customer_id IS NULL
            ORDER BY q.checked_in_at, q.id LIMIT 1`,
        )
        .get(...caregiverIds) as { id: string; name: string; caregiverId: string | null } | undefined;
      if (parent) nestUnder = { entryId: parent.id, displayName: parent.name, caregiverCardId: parent.caregiverId };
    }

    const viaCaregiver = nestUnder !== null;
    if (!profile) {
      refusals.push({
        code: 'no_rule',
        message:
          age === null
            ? `The date of birth in ${name}'s profile cannot be read: correct it in the profile.`
            : `${rules.name}'s rules have no ${TYPE_LABEL[as]} customers of this age or residency: ${name} cannot be served as ${TYPE_LABEL[as]}.`,
      });
    } else {
      if (age !== null && age < profile.minimumAge.value) {
        refusals.push({ code: 'under_age', message: underAgeMessage(name, age, profile) });
      }
      if (profile.whoMayBuy.value !== 'customer' && !viaCaregiver) {
        refusals.push({
          code: 'needs_caregiver',
          message: `${name} (${profile.label}) can be served only through their caregiver: check the caregiver in first, then ${customer.firstName}.`,
        });
      }
    }
    if (rules.identificationMustBeUnexpired.value) {
      if (!customer.identificationExpires) {
        // A minor patient served through a caregiver may have no photo ID of their own.
        if (!(viaCaregiver && profile?.whoMayBuy.value !== 'customer')) {
          refusals.push({ code: 'identification_unknown', message: identificationUnknownMessage(name) });
        }
      } else if (customer.identificationExpires < today) {
        refusals.push({ code: 'identification_expired', message: identificationExpiredMessage(name, customer.identificationExpires, 'check_in') });
      }
    }
    let lookup: Assessment['lookup'] = null;
    if (as === 'medical') {
      if (!customer.medicalId) {
        refusals.push({ code: 'medical_id_missing', message: `${name} has no medical ID in the profile: add it before checking in as medical.` });
      } else if (customer.medicalIdExpires && customer.medicalIdExpires < today) {
        refusals.push({ code: 'medical_document_expired', message: `${name}'s medical card expired on ${showStoreDate(customer.medicalIdExpires)}: check in as medical only with a renewed card.` });
      } else if (!customer.medicalIdExpires && profile?.credential.expiryChecked) {
        refusals.push({ code: 'medical_document_expired', message: `${name}'s medical card has no expiration date on file: enter it in the profile.` });
      }
      if (customer.medicalId && profile?.stateSystemIsTruth.value) {
        lookup = { cardId: customer.medicalId, caregiverCardId: nestUnder?.caregiverCardId ?? null };
      }
    }
    if (as === 'caregiver') {
      if (!customer.caregiverId && profile?.credential.kind === 'state_caregiver_card') {
        refusals.push({ code: 'medical_id_missing', message: `${name} has no caregiver ID in the profile: add it before checking in as a caregiver.` });
      } else if (caregiverCardLapsed(customer, today)) {
        // Only buying for a patient needs the caregiver card: the caregiver may still check in for themselves.
        const self = options.filter((option) => option !== 'caregiver');
        refusals.push({
          code: 'medical_document_expired',
          message: `${caregiverCardLapsed(customer, today)}${self.length > 0 ? ` They may still buy for themselves: choose ${self.map((option) => (option === 'medical' ? 'their own patient card' : TYPE_LABEL[option])).join(' or ')} under Buying for.` : ''}`,
        });
      }
    }
    if (as === 'medical_recommendation' && customer.recommendationExpires && customer.recommendationExpires < today) {
      refusals.push({ code: 'medical_document_expired', message: `${name}'s physician's recommendation expired on ${showStoreDate(customer.recommendationExpires)}: ask for a current one.` });
    }
    const patients = customer.customerType === 'caregiver' ? recordPatientsOf(this.ctx, customer, today) : [];
    let patient: Assessment['patient'] = null;
    if (patientId !== undefined) {
      if (as !== 'caregiver') throw new CoreError('invalid_message', `${name} is checked in for a patient only as a caregiver.`);
      const row = recordPatient(this.ctx, customer, patientId, patientKind);
      const assessed = assessRecordPatient(this.ctx, row, customer, rules, today);
      // The lapsed caregiver card is said once (by the caregiver's own refusal), not again for the patient.
      const lapsed = caregiverCardLapsed(customer, today);
      refusals.push(...assessed.refusals.filter((refusal) => refusal.message !== lapsed));
      patient = { row, profile: assessed.profile };
      if (assessed.profile?.stateSystemIsTruth.value && assessed.refusals.length === 0) {
        lookup = { cardId: row.medicalLicence, caregiverCardId: customer.caregiverId };
      }
    }
    return { customer, as, options, age, profile, refusals, nestUnder, lookup, rules, patients, patient };
  }

  private preparation(assessment: Assessment, lookupRow: LookupRow | null): CheckInPreparation {
    const { customer, profile, rules } = assessment;
    const refusals = [...assessment.refusals];
    // Checked in for a patient: the patient's limits, not the caregiver's.
    const limitsProfile = assessment.patient ? assessment.patient.profile : profile;
    const legal: QueueAllotment[] = (limitsProfile?.limits ?? []).map((limit) => ({
      limitId: limit.id,
      label: limit.label,
      amount: limit.amount,
      unit: limit.unit,
      ceiling: limit.amount,
    }));
    const base = {
      message: null as string | null,
      cardId: assessment.lookup?.cardId ?? null,
      caregiverCardId: assessment.lookup?.caregiverCardId ?? null,
      fetchedAt: null as number | null,
      sellWhileTraceDown: null as boolean | null,
      lastKnown: null as AllotmentProposal['lastKnown'],
    };
    let allotment: AllotmentProposal;
    if (profile?.buysFor === 'patient' && !assessment.patient) {
      allotment = { ...base, status: 'not_required', limits: [], message: 'A caregiver buys on the patient\'s allotment: check the patient in right after the caregiver.' };
    } else if (!assessment.lookup || !lookupRow) {
      allotment = { ...base, status: 'legal_limits', limits: legal };
    } else {
      const weightIndex = legal.findIndex((limit) => limit.unit === 'mg');
      const withFigure = (figure: number) =>
        legal.map((limit, index) => (index === weightIndex ? { ...limit, amount: figure, ceiling: figure } : limit));
      switch (lookupRow.outcome) {
        case 'found':
          allotment = { ...base, status: 'state_system', limits: withFigure(lookupRow.amountMg ?? 0), fetchedAt: lookupRow.at };
          break;
        case 'not_found':
          allotment = { ...base, status: 'not_found', limits: withFigure(0), fetchedAt: lookupRow.at, message: lookupRow.message };
          refusals.push({
            code: 'patient_not_found',
            message: `The patient licence number ${assessment.lookup.cardId} was not found in ${this.ctx.stateSystem()}: the allotment is 0.0000. Fix the medical ID in the profile, then check in again.`,
          });
          break;
        case 'unreadable':
          allotment = { ...base, status: 'unreadable', limits: withFigure(0), fetchedAt: lookupRow.at, message: lookupRow.message, stateAnswer: lookupRow.raw ?? null };
          refusals.push({
            code: 'state_unreadable',
            message: `${lookupRow.message ?? `${this.ctx.stateSystem()} answered, but not in a form the register understands.`} Ask a manager to check the card in ${this.ctx.stateSystem()} before checking in as medical.`,
          });
          break;
        case 'refused':
          allotment = { ...base, status: 'refused', limits: withFigure(0), fetchedAt: lookupRow.at, message: lookupRow.message };
          refusals.push({ code: 'state_refused', message: `${this.ctx.stateSystem()} refused the card: ${lookupRow.message ?? 'no reason given'}` });
          break;
        case 'offline': {
          const lastKnown = lastKnownAllotment(this.ctx.deps.sqlite(), assessment.lookup.cardId, rules);
          const sellWhileDown = sellsWhileTraceDown(this.ctx.deps.sqlite(), rules);
          // Offline: the person types the figure; the suggestion (never above the legal limit) starts it.
          const limits = legal.map((limit, index) =>
            index === weightIndex ? { ...limit, amount: lastKnown ? Math.min(lastKnown.suggestedMg, limit.ceiling) : 0 } : limit,
          );
          allotment = { ...base, status: 'offline', limits, message: lookupRow.message, sellWhileTraceDown: sellWhileDown, lastKnown };
          if (!sellWhileDown) {
            refusals.push({
              code: 'trace_down_no_sales',
              message: `This store does not sell to medical patients while the state system is down (Settings › Track & Trace): ${customer.firstName} cannot be checked in as medical until it answers again.`,
            });
          }
          break;
        }
      }
    }
    return {
      customerId: customer.id,
      displayName: `${customer.firstName} ${customer.lastName}`,
      customerType: customer.customerType,
      as: assessment.as,
      options: assessment.options,
      age: assessment.age,
      profileLabel: profile?.label ?? null,
      refusals,
      warnings: customer.warnings,
      notes: customer.notes,
      nestUnder: assessment.nestUnder ? { entryId: assessment.nestUnder.entryId, displayName: assessment.nestUnder.displayName } : null,
      allotment,
      patients: assessment.patients,
      patient: assessment.patient
        ? { kind: assessment.patient.row.kind, id: assessment.patient.row.id, displayName: assessment.patient.row.displayName, medicalLicence: assessment.patient.row.medicalLicence }
        : null,
    };
  }


  private recordLookup(query: { cardId: string; caregiverCardId: string | null }, result: AllotmentLookup, rules: JurisdictionRules): LookupRow {
    const now = this.ctx.deps.clock();
    let outcome = result.kind;
    let amountMg: number | null = null;
    let message: string | null = result.kind === 'found' ? null : result.message;
    if (result.kind === 'found') {
      amountMg = statedToMilligrams(result.statedAmount, result.statedUnit, rules.gramsPerOunce.value);
      // A cached figure (Metrc: up to a minute old) may miss the sales made since: count them against it.
      if (amountMg !== null && result.asOf !== undefined) amountMg = Math.max(0, amountMg - medicalSalesSince(this.ctx.deps.sqlite(), query.cardId, result.asOf));
      if (amountMg === null) {
        outcome = 'refused';
        message = `${this.ctx.stateSystem()} gave the allotment as "${result.statedAmount} ${result.statedUnit}", a unit the register does not know: check the patient in ${this.ctx.stateSystem()}.`;
      }
    }
    // A lookup is a fact learned, not a command: it is logged even when check-in does not follow.
    // It is a cache of what BioTrack said (BioTrack stays the truth), so it is written without
    // waiting for the disk: in WAL mode synchronous=NORMAL skips the commit's fsync, and a power
    // cut can at worst lose the newest lookup. The check-in that relies on it is fully durable.
    const db = this.ctx.deps.sqlite();
    db.pragma('synchronous = NORMAL');
    try {
      db.prepare(
        `INSERT INTO checkin_lookups (id, card_id, caregiver_card_id, outcome, amount_mg, stated_amount, stated_unit, message, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        newId(now),
        query.cardId,
        query.caregiverCardId,
        outcome,
        amountMg,
        result.kind === 'found' ? result.statedAmount : null,
        result.kind === 'found' ? result.statedUnit : null,
        message,
        now,
      );
    } finally {
      db.pragma('synchronous = FULL');
    }
    return { outcome, amountMg, message, at: now, raw: result.kind === 'unreadable' ? result.raw : null };
  }

  private latestLookup(query: { cardId: string; caregiverCardId: string | null }, since: number): LookupRow | null {
    return (
      (this.ctx.deps
        .sqlite()
        .prepare(
          `SELECT outcome, amount_mg AS amountMg, message, at FROM checkin_lookups
            WHERE card_id = ? AND caregiver_card_id IS ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 1`,
        )
        .get(query.cardId, query.caregiverCardId, since) as LookupRow | undefined) ?? null
    );
  }
}

export function formatAmount(amount: number, unit: QueueAllotment['unit']): string {
  if (unit === 'plants') return `${amount} plant${amount === 1 ? '' : 's'}`;
  if (unit === 'mg_thc') return `${amount} mg THC`;
  return `${(amount / 1000).toFixed(3)} g`;
}
