/** Customers' shared types and small helpers (the service is split by use case; see ./service.ts). */
import type Database from 'better-sqlite3';
import type { CustomerKind, CustomerSummary, DocumentKind } from '../../preload/contract/customers.js';
import { nameKey, parseDateEntry } from './normalise.js';

export interface CustomerServiceDeps {
  sqlite(): Database.Database;
  clock(): number;
  resourcesDir: string;
  dataDir: string;
}

export interface Actor {
  id: string;
}

export interface CustomerRow {
  id: string;
  customer_type: CustomerKind;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  nickname: string | null;
  date_of_birth: string;
  gender: string;
  identification_expires: string | null;
  licence_number: string | null;
  licence_key: string | null;
  licence_state: string | null;
  medical_id: string | null;
  medical_id_expires: string | null;
  caregiver_id: string | null;
  caregiver_id_expires: string | null;
  phone: string | null;
  email: string | null;
  banned: number;
  warning_1: number;
  warning_2: number;
  notes: string | null;
  adult_use: number | null;
  state_medical_id: number | null;
  caregiver_licence: number | null;
  created_at: number;
  updated_at: number;
}

export interface ProfileRow {
  address_street: string | null;
  address_street2: string | null;
  address_city: string | null;
  address_state: string | null;
  address_postal_code: string | null;
  delivery_street: string | null;
  delivery_street2: string | null;
  delivery_city: string | null;
  delivery_state: string | null;
  delivery_postal_code: string | null;
  other_phone: string | null;
  recommendation_expires: string | null;
  physician_name: string | null;
  physician_licence: string | null;
  physician_phone: string | null;
  caregiver_customer_id: string | null;
  photo_document_id: string | null;
  scanned_at: number | null;
}

export const SUMMARY_COLUMNS = `id, customer_type, first_name, last_name, nickname, date_of_birth, phone, email, medical_id,
  caregiver_id, banned, warning_1, warning_2, updated_at`;
export type SummaryRow = Pick<
  CustomerRow,
  | 'id'
  | 'customer_type'
  | 'first_name'
  | 'last_name'
  | 'nickname'
  | 'date_of_birth'
  | 'phone'
  | 'email'
  | 'medical_id'
  | 'caregiver_id'
  | 'banned'
  | 'warning_1'
  | 'warning_2'
  | 'updated_at'
>;

/** One line of the Directory of recent check-ins. */
export type RecentCheckIn = CustomerSummary & {
  checkedInAt: number;
  checkedInAs: CustomerSummary['customerType'];
  checkedInByName: string | null;
  inQueue: boolean;
};
/** The most queue entries the Directory reads to find its customers (a bound, not a page size). */
export const RECENT_CHECK_IN_SCAN = 5000;

export const DEFAULT_SENIOR_AGE = 65;
export const SENIOR_GROUP = 'senior';
export const DEFAULT_WARNING_LABELS: [string, string] = ['Check ID carefully at every visit', 'Behaviour concern: read the notes'];
export const LICENCE_SECRET_KEY = 'customers.licenceFingerprintSecret';

/** First "Nick" Last. */
export function displayName(first: string, last: string, nickname: string | null): string {
  return nickname ? `${first} "${nickname}" ${last}` : `${first} ${last}`;
}

/** Labels of the fields a history entry names ("field: old → new"). */
export const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  nickname: 'Nickname',
  dateOfBirth: 'Birth date',
  gender: 'Gender',
  licenceNumber: 'Licence number',
  licenceState: 'Licence state',
  identificationExpires: 'ID expiration',
  address: 'Address of record',
  adultUse: 'Adult Use',
  stateMedicalId: 'State Medical ID',
  medicalId: 'Medical ID',
  medicalIdExpires: 'Medical ID expiration',
  recommendationExpires: 'Recommendation expiration',
  physician: 'Physician',
  caregiverLicence: 'Caregiver Licence',
  caregiverId: 'Caregiver ID',
  caregiverIdExpires: 'Caregiver ID expiration',
  caregiverCustomerId: 'Caregiver',
  otherCaregiverIds: 'Other caregivers',
  phone: 'Phone',
  otherPhone: 'Other phone',
  email: 'Email',
  delivery: 'Delivery address',
  notes: 'Notes',
  warning1: 'Warning 1',
  warning2: 'Warning 2',
  banned: 'Banned',
  groups: 'Groups',
};

export const DOCUMENT_TITLES: Record<DocumentKind, string> = {
  full_licence: 'Full License',
  doctors_permit: 'Doctors Permit',
  medical_card: 'Medical Card',
  profile_photo: 'Profile Photo',
  other: 'Document',
  membership_agreement: 'Membership Agreement',
};

export function formatStamp(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}


export function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s'-])([a-z])/g, (_m, before: string, letter: string) => before + letter.toUpperCase());
}

export function isIsoDate(text: string): boolean {
  return parseDateEntry(text) === text;
}

export function mergeRows(lists: SummaryRow[][], limit: number): SummaryRow[] {
  const seen = new Set<string>();
  const out: SummaryRow[] = [];
  for (const list of lists) {
    for (const row of list) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      out.push(row);
    }
  }
  out.sort((a, b) => (nameKey(a.last_name) + ' ' + nameKey(a.first_name)).localeCompare(nameKey(b.last_name) + ' ' + nameKey(b.first_name)));
  return out.slice(0, limit);
}

export const CHECK_IN_TYPE_WORDS: Record<string, string> = {
  adult_use: 'adult use',
  medical: 'medical',
  medical_recommendation: 'medical (recommendation)',
  caregiver: 'caregiver',
};
export const ALLOTMENT_SOURCE_WORDS: Record<string, string> = {
  state_system: 'from BioTrack',
  manual: 'typed by hand',
  legal_limits: 'at the legal limits',
  not_required: 'not needed (buys for patients)',
};

/** An audit event's details, or {} when there are none or they are not a JSON object. */
export function parseDetails(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function checkInTypeWords(as: unknown): string {
  return (typeof as === 'string' ? CHECK_IN_TYPE_WORDS[as] : undefined) ?? 'a customer';
}

export function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  return `${sign}$${(Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

export function describeAction(action: string, details: Record<string, unknown>): string {
  switch (action) {
    case 'customers.create': {
      const made = details.fromScan ? 'Profile created from a licence scan' : 'Profile created';
      // Made on purpose although another profile has the same names and birth date: the reason staff gave.
      return typeof details.duplicateReason === 'string' && typeof details.duplicateOf === 'string'
        ? `${made} although ${details.duplicateOf}, has another profile: ${details.duplicateReason}`
        : made;
    }
    case 'customers.update':
      return 'Profile edited';
    case 'customers.updateFromScan':
      return 'Updated from a licence scan';
    case 'customers.updated':
      return 'Profile saved';
    case 'customers.addDocument':
      return `Document added: ${typeof details.title === 'string' ? details.title : 'a document'}`;
    // The reception tablet (main/tablet/).
    case 'tablet.agreement_sent':
      return `Membership agreement sent to ${typeof details.deviceName === 'string' ? details.deviceName : 'the tablet'}`;
    case 'tablet.agreement_cancelled':
      return 'Membership agreement taken back from the tablet';
    case 'tablet.signed':
      return `Membership agreement signed${typeof details.deviceName === 'string' ? ` on ${details.deviceName}` : ''}${
        typeof details.pdfSha256 === 'string' ? ` · SHA-256 ${details.pdfSha256.slice(0, 12)}…` : ''
      }`;
    case 'customers.addPatient':
      return `Caregiver-patient added: ${String(details.patient ?? '')}`;
    case 'customers.updatePatient':
      return `Caregiver-patient edited: ${String(details.patient ?? '')}`;
    case 'customers.removePatient':
      return `Caregiver-patient removed: ${String(details.patient ?? '')}`;
    // Rewards (issue 9) writes that name the customer.
    case 'rewards.adjust':
      return details.oldBalance === undefined
        ? 'Points adjusted by hand'
        : `Points adjusted by hand: ${String(details.oldBalance)} → ${String(details.newBalance)} (${String(details.reason ?? '')}), approved by ${String(details.approverName ?? 'a manager')}`;
    case 'rewards.connectCard':
      return details.cardEnding === undefined ? 'Rewards card connected' : `Rewards card connected: ending ${String(details.cardEnding)}`;
    case 'rewards.replaceCard':
      return details.newCardEnding === undefined
        ? 'Rewards card replaced'
        : `Rewards card replaced: ending ${String(details.oldCardEnding)} → ending ${String(details.newCardEnding)}`;
    case 'rewards.setCustomerTags':
      return Array.isArray(details.after) ? `Tags: ${details.after.length > 0 ? details.after.join(', ') : 'none'}` : 'Tags changed';
    // Check-in and the queue (issue 6).
    case 'queue.check_in': {
      const source = typeof details.allotmentSource === 'string' ? ALLOTMENT_SOURCE_WORDS[details.allotmentSource] : undefined;
      const lowered = Array.isArray(details.lowered) && details.lowered.length > 0 ? ', lowered by staff' : '';
      const nested = typeof details.nestedUnder === 'string' ? ' · with their caregiver' : '';
      return `Checked in as ${checkInTypeWords(details.as)}${source ? ` · allotment ${source}${lowered}` : ''}${nested}`;
    }
    case 'queue.check_in_manual_allotment':
      return `Checked in as ${checkInTypeWords(details.as)} · allotment typed by hand while BioTrack was offline${
        typeof details.confirmedCardId === 'string' ? ` (medical ID ${details.confirmedCardId} confirmed)` : ''
      }`;
    case 'queue.remove':
      return 'Removed from the queue';
    // Checkout (issue 7).
    case 'sale.complete': {
      const receipt = typeof details.receiptNumber === 'number' || typeof details.receiptNumber === 'string' ? ` #${String(details.receiptNumber)}` : '';
      const total = typeof details.totalCents === 'number' ? `: ${dollars(details.totalCents)}` : '';
      const lines = typeof details.lines === 'number' ? ` (${details.lines} line${details.lines === 1 ? '' : 's'})` : '';
      return `Sale${receipt}${total}${lines}`;
    }
    case 'sale.void':
      return `Sale voided${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    case 'sale.return':
      return `Return on a sale${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    // Track & Trace (issue 8): a sale's report to BioTrack.
    case 'trace.sync.resend':
      return 'Sale report to BioTrack sent again';
    case 'trace.sync.dismiss':
      return `Sale report to BioTrack dismissed${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    case 'trace.demo.enqueueSale':
      return 'Demo sale reported to BioTrack';
    default: {
      const words = action.replace(/[._]/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
