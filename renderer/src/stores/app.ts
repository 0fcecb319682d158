/**
 * The renderer's state: connection, app status (devices, track-and-trace), session and the
 * screen shown. The core is the source of truth: these stores only hold what it last said.
 */
import { create } from 'zustand';
import type { AppStatus, DeviceStatus, Session, TraceStatus } from '../../../preload/api';
import type { ConnectionInfo } from '../client';

export interface ConnectionStore {
  info: ConnectionInfo;
  set(info: ConnectionInfo): void;
}

export const useConnection = create<ConnectionStore>((set) => ({
  info: { state: 'connecting', failedAttempts: 0, everConnected: false, turnedAway: null },
  set: (info) => set({ info }),
}));

export interface StatusStore {
  /** null until the core has answered app.status. */
  status: AppStatus | null;
  setStatus(status: AppStatus): void;
  setDevices(devices: DeviceStatus[]): void;
  setTrace(trace: TraceStatus): void;
}

export const useStatus = create<StatusStore>((set) => ({
  status: null,
  setStatus: (status) => set({ status }),
  setDevices: (devices) =>
    set((current) => (current.status?.state === 'ready' ? { status: { ...current.status, devices } } : current)),
  setTrace: (trace) =>
    set((current) => (current.status?.state === 'ready' ? { status: { ...current.status, trace } } : current)),
}));

export interface SessionStore {
  /** null until the core has answered session.get. */
  session: Session | null;
  setSession(session: Session): void;
}

export const useSession = create<SessionStore>((set) => ({
  session: null,
  setSession: (session) => set({ session }),
}));

export const sections = ['customers', 'queue', 'register', 'till', 'products', 'sync', 'settings'] as const;
export type Section = (typeof sections)[number];

export interface NavStore {
  section: Section;
  /** Counts presses of the section the person is already in: a screen goes back to its start. */
  reselected: number;
  go(section: Section): void;
}

/** Kept outside the shell so that locking and unlocking returns to the same screen. */
export const useNav = create<NavStore>((set) => ({
  section: 'customers',
  reselected: 0,
  go: (section) => set((state) => (state.section === section ? { reselected: state.reselected + 1 } : { section })),
}));
