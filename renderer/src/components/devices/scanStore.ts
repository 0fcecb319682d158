/**
 * The scans the core routed to this screen (`scan.received`). Screens that act on scans
 * (Customers: licences, Register: products and cards) subscribe with
 * `getClient().on('scan.received', ...)`, or read `pending` here when they mount after the
 * navigation a scan caused, and call `take(kind)` so a scan is acted on once.
 */
import { create } from 'zustand';
import type { EventPayload } from '../../../../preload/api';

export type ScanReceived = EventPayload<'scan.received'>;

export interface ScanStore {
  /** The latest scan of any kind (the "last scan" indicator). */
  last: ScanReceived | null;
  /** The latest unusable scan, until dismissed (the banner). */
  problem: ScanReceived | null;
  /** The latest usable scan not yet taken by the screen it was routed to. */
  pending: ScanReceived | null;
  /** Settings > Devices is testing devices: scans stay on that screen. */
  testing: boolean;
  receive(scan: ScanReceived): void;
  dismissProblem(): void;
  take<K extends ScanReceived['kind']>(kind: K): Extract<ScanReceived, { kind: K }> | null;
  setTesting(testing: boolean): void;
}

export const useScans = create<ScanStore>((set, get) => ({
  last: null,
  problem: null,
  pending: null,
  testing: false,
  receive: (scan) =>
    set(scan.kind === 'unrecognised' ? { last: scan, problem: scan } : { last: scan, pending: scan, problem: null }),
  dismissProblem: () => set({ problem: null }),
  take: (kind) => {
    const pending = get().pending;
    if (!pending || pending.kind !== kind) return null;
    set({ pending: null });
    return pending as Extract<ScanReceived, { kind: typeof kind }>;
  },
  setTesting: (testing) => set({ testing }),
}));
