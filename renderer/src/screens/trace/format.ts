import type { CallRequest, CallResponse } from '../../../../preload/api';

export type SyncStatus = CallResponse<'trace.sync.status'>;
export type SyncRow = CallResponse<'trace.sync.list'>['rows'][number];
export type SyncState = SyncRow['state'];
export type SyncFilter = NonNullable<CallRequest<'trace.sync.list'>['filter']>;
export type TraceSettingsView = CallResponse<'trace.settings.get'>;
export type SyncCandidate = CallResponse<'trace.sync.detail'>['candidates'][number];

export const stateLabel: Record<SyncState, string> = {
  pending: 'Waiting to send',
  in_flight: 'Sending',
  acknowledged: 'Reported',
  rejected: 'Refused by the state',
  unknown: 'Checking outcome',
  needs_person: 'Needs a manager',
  dismissed: 'Dismissed',
};

export const kindLabel: Record<SyncRow['kind'], string> = { dispense: 'Sale', void: 'Void', refund: 'Refund' };

export function money(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  return `${sign}$${(Math.abs(cents) / 100).toFixed(2)}`;
}

/** "3 min", "2 h 5 min", "4 days" */
export function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/**
 * Why a sale is not settled yet, in words for staff: what the register did by itself and what
 * (if anything) a person must do. Every sale the register could not settle on its own (refused,
 * outcome unknown, waiting for a manager's choice, tried and waiting to try again, waiting for
 * another sale) gets one; null only for a sale that is reported, dismissed or simply queued.
 * `system` names the state system the store reports to (BioTrack, Metrc).
 */
export function explain(row: SyncRow, system = 'BioTrack'): string | null {
  const what = kindLabel[row.kind].toLowerCase();
  switch (row.state) {
    case 'rejected':
      return `${system} refused this ${what}, so the register will not send it again by itself. Fix the cause ${system} gave, then resend it; if it can never be accepted, dismiss it with the reason.`;
    case 'unknown':
      return `The register sent this ${what} but got no clear answer, so it may or may not be in ${system}. It will look for it in ${system}'s records before sending anything again; other sales keep going meanwhile.`;
    case 'needs_person':
      return `${system} lists more than one sale with exactly these items, prices, card and register, and nothing tells which one is this ${what}. The register will not send it again (that could report it twice): a manager compares the matches below and picks the right one, or asks the register to check again.`;
    case 'pending':
      if (row.waitingFor) return `This ${what} waits until ${row.waitingFor}.`;
      // The last try's own words stay under "Last error" in the details, for a manager.
      if (row.attempts > 0) return `Not reported yet: ${system} has not taken this ${what}, and the register will try again by itself.${row.lastError ? ' What happened last time is under Last error.' : ''}`;
      return null;
    case 'in_flight':
      return `This ${what} is being sent to ${system} now.`;
    default:
      return null;
  }
}
