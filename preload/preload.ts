/**
 * The Electron preload (sandboxed): exposes the register contract as `window.register`.
 * It forwards envelopes only; main validates every message with zod.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels } from './channels.js';

let nextId = 1;
type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(ipcChannels.event, (_event: IpcRendererEvent, envelope: { event: string; payload: unknown }) => {
  for (const listener of listeners.get(envelope.event) ?? []) listener(envelope.payload);
});

contextBridge.exposeInMainWorld('register', {
  async call(name: string, payload: unknown, options?: { overrideGrantId?: string }) {
    const envelope = { id: nextId++, call: name, payload, ...(options?.overrideGrantId ? { overrideGrantId: options.overrideGrantId } : {}) };
    const response = (await ipcRenderer.invoke(ipcChannels.call, envelope)) as {
      ok: boolean;
      value?: unknown;
      error?: unknown;
    };
    return response.ok ? { ok: true, value: response.value } : { ok: false, error: response.error };
  },
  on(event: string, listener: Listener) {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  },
});
