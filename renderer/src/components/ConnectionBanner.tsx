import { useConnection } from '../stores/app';

/** Shown over every screen while the browser host's socket is down. */
export function ConnectionBanner() {
  const info = useConnection((state) => state.info);
  if (info.state !== 'reconnecting' || !info.everConnected) return null;
  return (
    <div className="banner" role="status" aria-live="assertive">
      <strong>Reconnecting to the register…</strong>{' '}
      {info.turnedAway ?? 'Anything you do now waits until it is back.'}
    </div>
  );
}
