/** IPC channel names shared by the Electron main process and the preload (no dependencies). */
export const ipcChannels = { call: 'register:call', event: 'register:event' } as const;
