/** The queue's shapes, taken from the contract (the renderer imports only preload/api.ts). */
import type { CallRequest, CallResponse } from '../../../../preload/api';

export type QueueView = CallResponse<'queue.list'>;
export type QueueEntry = QueueView['entries'][number];
export type QueueAllotment = QueueEntry['allotments'][number];
export type CheckInPreparation = CallResponse<'queue.checkIn.prepare'>;
export type CheckInType = CheckInPreparation['as'];
export type CheckInRequest = CallRequest<'queue.checkIn'>;
export type CustomerDraftSummary = CallResponse<'customers.drafts'>[number];
export type QueueCustomerHit = CallResponse<'queue.findCustomers'>[number];

export const TYPE_LABELS: Record<CheckInType, string> = {
  adult_use: 'Adult use',
  medical: 'Medical',
  medical_recommendation: 'Medical (recommendation)',
  caregiver: 'Caregiver',
};

/** Milligrams as grams with three decimals; THC in mg; plants counted. */
export function formatAllotment(amount: number, unit: QueueAllotment['unit']): string {
  if (unit === 'plants') return `${amount} plant${amount === 1 ? '' : 's'}`;
  if (unit === 'mg_thc') return `${amount} mg THC`;
  return `${(amount / 1000).toFixed(3)} g`;
}

/** "4 min", "1 h 05 min". */
export function formatWait(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
