/**
 * Wires the client to the stores: events update them, a (re)connection refreshes them, and
 * activity at the register postpones the idle lock.
 */
import type { CallName, CallOptions, CallRequest, CallResponse, Result } from '../../preload/api';
import { getClient, type RegisterClient } from './client';
import { useConnection, useSession, useStatus } from './stores/app';

/** The core asks for this at most once per this many milliseconds of activity. */
export const TOUCH_THROTTLE_MS = 10_000;

/** A call through the page's client; an answer saying the session moved on refreshes it. */
export async function call<N extends CallName>(name: N, payload: CallRequest<N>, options?: CallOptions): Promise<Result<CallResponse<N>>> {
  const result = await getClient().call(name, payload, options);
  if (!result.ok && (result.error.code === 'locked' || result.error.code === 'not_logged_in')) {
    void refreshSession();
  }
  return result;
}

export async function refreshSession(): Promise<void> {
  const result = await getClient().call('session.get', {});
  if (result.ok) useSession.getState().setSession(result.value);
}

export async function refreshStatus(): Promise<void> {
  const result = await getClient().call('app.status', {});
  if (result.ok) useStatus.getState().setStatus(result.value);
}

export async function refreshAll(): Promise<void> {
  await Promise.all([refreshStatus(), refreshSession()]);
}

function watchActivity(client: RegisterClient): () => void {
  let lastTouch = 0;
  const onActivity = (): void => {
    if (useSession.getState().session?.state !== 'active') return;
    const now = Date.now();
    if (now - lastTouch < TOUCH_THROTTLE_MS) return;
    lastTouch = now;
    void client.call('session.touch', {});
  };
  // A new session starts its own idle timer in the core: the next activity touches at once.
  const unsubscribeSession = useSession.subscribe((state, previous) => {
    if (state.session?.state === 'active' && previous.session?.state !== 'active') lastTouch = Date.now();
  });
  const options: AddEventListenerOptions = { capture: true, passive: true };
  window.addEventListener('pointerdown', onActivity, options);
  window.addEventListener('keydown', onActivity, options);
  window.addEventListener('wheel', onActivity, options);
  return () => {
    unsubscribeSession();
    window.removeEventListener('pointerdown', onActivity, options);
    window.removeEventListener('keydown', onActivity, options);
    window.removeEventListener('wheel', onActivity, options);
  };
}

/** Starts listening; returns a function that stops it all. */
export function startRegister(): () => void {
  const client = getClient();
  const status = useStatus.getState();
  const stops = [
    client.on('session.changed', (session) => useSession.getState().setSession(session)),
    client.on('status.changed', (next) => status.setStatus(next)),
    client.on('devices.changed', (devices) => useStatus.getState().setDevices(devices)),
    client.on('trace.changed', (trace) => useStatus.getState().setTrace(trace)),
    client.onConnection((info) => {
      useConnection.getState().set(info);
      if (info.state === 'open') void refreshAll();
    }),
    watchActivity(client),
  ];
  // Electron's client reports 'open' right away through onConnection, which refreshes.
  useConnection.getState().set(client.connection());
  return () => {
    for (const stop of stops) stop();
  };
}
