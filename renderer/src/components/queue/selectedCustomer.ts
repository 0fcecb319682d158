/**
 * The customer chosen in the queue, for the Register to open their ticket. Checkout reads this
 * store (customerId, and the queue entry with its allotments); choosing a customer sets it and
 * goes to the Register section.
 */
import { create } from 'zustand';
import type { QueueEntry } from './types';
import { useNav } from '../../stores/app';

export interface SelectedCustomerStore {
  customerId: string | null;
  /** The queue entry the customer was chosen from (allotments agreed at check-in), or null. */
  entry: QueueEntry | null;
  select(entry: QueueEntry): void;
  clear(): void;
}

export const useSelectedCustomer = create<SelectedCustomerStore>((set) => ({
  customerId: null,
  entry: null,
  select: (entry) => set({ customerId: entry.customerId, entry }),
  clear: () => set({ customerId: null, entry: null }),
}));

/** Open the customer's ticket at the Register. */
export function openAtRegister(entry: QueueEntry): void {
  useSelectedCustomer.getState().select(entry);
  useNav.getState().go('register');
}
