/** The setup screen's own progress, kept apart from the core's status (which is already "ready" after step 2). */
import { create } from 'zustand';

export interface SetupFlowStore {
  /** 'trace': the store exists and its admin is connecting track-and-trace; 'done': the login screen says the store is ready. */
  step: 'trace' | 'done' | null;
  set(step: SetupFlowStore['step']): void;
}

export const useSetupFlow = create<SetupFlowStore>((set) => ({
  step: null,
  set: (step) => set({ step }),
}));
