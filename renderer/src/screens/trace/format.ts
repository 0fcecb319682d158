import type { CallRequest, CallResponse } from '../../../../preload/api';

export type SyncStatus = CallResponse<'trace.sync.status'>;
export type SyncRow = CallResponse<'trace.sync.list'>['rows'][number];
export type SyncState = SyncRow['state'];
export type SyncFilter = NonNullable<CallRequest<'trace.sync.list'>['filter']>;
export type TraceSettingsView = CallResponse<'trace.settings.get'>;

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
