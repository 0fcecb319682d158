import { useState } from 'react';
import type { BackupInfo } from '../../../preload/api';
import { call, refreshAll } from '../register';
import { formatBytes, formatDateTime } from '../format';

export interface DamagedScreenProps {
  message: string;
  databaseFile: string;
  backups: BackupInfo[];
}

/** The file's name without its folder (the folder is the data folder's backups/). */
function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

type Outcome = { kind: 'error'; message: string } | { kind: 'restored'; message: string } | null;

/** The database failed its check: nothing is sold until a person picks a backup to restore. */
export function DamagedScreen({ message, databaseFile, backups }: DamagedScreenProps) {
  const [busyFile, setBusyFile] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const sorted = [...backups].sort((a, b) => b.createdAt - a.createdAt);
  const newestIntact = sorted.find((backup) => backup.intact)?.file;

  const restore = async (file: string) => {
    setBusyFile(file);
    setOutcome(null);
    const result = await call('store.restoreBackup', { file });
    setBusyFile(null);
    if (!result.ok) {
      setOutcome({ kind: 'error', message: result.error.message });
      return;
    }
    setOutcome({
      kind: 'restored',
      message: `Restored from ${fileName(result.value.restoredFrom)}. The damaged file was kept as ${fileName(result.value.damagedFileKeptAs)}.`,
    });
    await refreshAll();
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
            <li key={backup.file} className="backup">
              <div>
                <strong>{formatDateTime(backup.createdAt)}</strong>
                {backup.file === newestIntact ? <span className="badge badge-ok">Newest good backup</span> : null}
                <div className="muted">
                  {fileName(backup.file)} · {formatBytes(backup.sizeBytes)}
                  {backup.intact ? <span className="ok"> · intact</span> : null}
                </div>
              </div>
              {backup.intact ? (
                <button
                  type="button"
                  className="primary"
                  disabled={busyFile !== null}
                  onClick={() => void restore(backup.file)}
                >
                  {busyFile === backup.file ? 'Restoring…' : 'Restore this backup'}
                </button>
              ) : (
                <span className="backup-unusable">Damaged too: cannot be restored</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
