import { useConnection } from '../stores/app';

export function LoadingScreen() {
  const info = useConnection((state) => state.info);
  const trouble = info.failedAttempts >= 3 && !info.everConnected;
  if (info.turnedAway && !info.everConnected) {
    return (
      <main className="gate" aria-labelledby="loading-title">
        <div className="gate-card message-card">
          <h1 id="loading-title">The register cannot take this screen yet</h1>
          <p role="alert">{info.turnedAway}</p>
        </div>
      </main>
    );
  }
  return (
    <main className="gate" aria-labelledby="loading-title">
      <div className="gate-card message-card">
        <h1 id="loading-title">{trouble ? 'Cannot reach the register' : 'Connecting to the register…'}</h1>
        {trouble ? (
          <p role="alert">
            Still trying. If the register was restarted, open the new link it printed: the old one no longer works.
          </p>
        ) : null}
      </div>
    </main>
  );
}
