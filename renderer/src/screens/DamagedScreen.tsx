import { useState } from 'react';
import type { ApiError, BackupInfo } from '../../../preload/api';
import { PinPad } from '../components/PinPad';
import { call, refreshAll } from '../register';
import { formatBytes, formatDateTime } from '../format';

export interface DamagedScreenProps {
  message: string;
  databaseFile: string;
  backups: BackupInfo[];
}

/** The file's name without its folder. */
function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

type Outcome = { kind: 'error'; message: string } | { kind: 'restored'; message: string } | null;

/**
 * The database failed its check, or is missing from a folder that held a store: nothing is sold
 * until a manager picks a backup and approves the restore with their PIN (a PIN of the store in
 * that backup: no one can log in to the damaged store).
 */
export function DamagedScreen({ message, databaseFile, backups }: DamagedScreenProps) {
  const [chosen, setChosen] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const sorted = [...backups].sort((a, b) => b.createdAt - a.createdAt);

  const restore = async (name: string, pin: string): Promise<ApiError | null> => {
    setOutcome(null);
    const result = await call('store.restoreBackup', { name, pin });
    if (!result.ok) {
      if (result.error.code !== 'wrong_pin' && result.error.code !== 'locked_out') {
        setOutcome({ kind: 'error', message: result.error.message });
      }
      return result.error;
    }
    const kept = result.value.damagedFileKeptAs;
    setOutcome({
      kind: 'restored',
      message: `Restored from ${result.value.restoredFrom}.${kept ? ` The damaged file was kept as ${fileName(kept)}.` : ''}`,
    });
    setChosen(null);
    await refreshAll();
    return null;
  };

  return (
    <main className="page damaged" aria-labelledby="damaged-title">
      <h1 id="damaged-title">The register's database is damaged</h1>
      <p className="error" role="alert">
        {message}
      </p>
      <p>
        Database file: <code>{databaseFile}</code>. It is kept as it is: nothing is deleted.
      </p>
      {outcome ? (
        <p className={outcome.kind === 'error' ? 'error' : 'ok'} role="status">
          {outcome.message}
        </p>
      ) : null}
      <h2>Backups</h2>
      {sorted.length === 0 ? (
        <p>There are no backups to restore. Call support before using this register again.</p>
      ) : (
        <ul className="backup-list">
          {sorted.map((backup) => (
            <li key={backup.name} className="backup">
              <div>
                <strong>{formatDateTime(backup.createdAt)}</strong>
                {backup.recommended ? <span className="badge badge-ok">Newest good backup</span> : null}
                <div className="muted">
                  {backup.name} · {formatBytes(backup.sizeBytes)}
                  {backup.intact ? <span className="ok"> · intact</span> : null}
                </div>
                {chosen === backup.name ? (
                  <div className="backup-approve">
                    <PinPad
                      label="A manager of this backup's store enters their PIN"
                      submitLabel="Restore"
                      onSubmit={(pin) => restore(backup.name, pin)}
                    />
                    <button type="button" onClick={() => setChosen(null)}>
                      Cancel
                    </button>
                  </div>
                ) : null}
              </div>
              {!backup.intact ? (
                <span className="backup-unusable">Damaged too: cannot be restored</span>
              ) : chosen === backup.name ? null : (
                <button type="button" className="primary" onClick={() => setChosen(backup.name)}>
                  Restore this backup
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
