/** The receipt printer's last status, as the core broadcast it (till.printerChanged). */
import { create } from 'zustand';
import type { CallResponse } from '../../../../preload/api';
import { getClient } from '../../client';
import { call } from '../../register';

export type PrinterStatus = CallResponse<'till.status'>;

interface PrinterStore {
  status: PrinterStatus | null;
  set(status: PrinterStatus): void;
}

export const usePrinter = create<PrinterStore>((set) => ({ status: null, set: (status) => set({ status }) }));

let watching = false;
/** Listens once for the core's printer events and asks for the current status. */
export function watchPrinter(): void {
  if (watching) return;
  watching = true;
  getClient().on('till.printerChanged', (status) => usePrinter.getState().set(status));
  void refreshPrinter();
}

export async function refreshPrinter(): Promise<void> {
  const result = await call('till.status', {});
  if (result.ok) usePrinter.getState().set(result.value);
}
