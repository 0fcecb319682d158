/**
 * The Sync screen's email list: copies of signed membership agreements waiting to be sent, sent,
 * or waiting for a person after the email server refused them (Send again).
 */
import { useCallback, useEffect, useState } from 'react';
import { ulid } from 'ulid';
import type { MailOutboxRow } from '../../../../preload/api';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';

const STATE_WORDS: Record<MailOutboxRow['state'], string> = { pending: 'Waiting to send', sending: 'Sending', sent: 'Sent', failed: 'Not sent' };

export function MailOutboxPanel() {
  const [rows, setRows] = useState<MailOutboxRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await call('mail.outbox', { limit: 50 });
    if (result.ok) setRows(result.value);
    else setError(result.error.message);
  }, []);

  useEffect(() => {
    void load();
    return getClient().on('mail.changed', () => void load());
  }, [load]);

  const retry = async (id: string) => {
    const result = await call('mail.retry', { commandId: ulid(), id });
    if (!result.ok) setError(result.error.message);
    void load();
  };

  return (
    <section className="panel" aria-labelledby="mail-outbox-title">
      <h2 id="mail-outbox-title">Emails</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows && rows.length === 0 ? <p className="muted">No emails yet.</p> : null}
      {rows && rows.length > 0 ? (
        <table className="table" aria-label="Emails" data-testid="mail-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">To</th>
              <th scope="col">What</th>
              <th scope="col">State</th>
              <th scope="col">Tries</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <td>{formatDateTime(row.createdAt)}</td>
                <td>
                  {row.to}
                  {row.customerName ? <span className="sync-sub">{row.customerName}</span> : null}
                </td>
                <td>{row.subject}</td>
                <td>
                  <span className={`sync-badge mail-${row.state}`}>{STATE_WORDS[row.state]}</span>
                  {row.sentAt ? <span className="sync-sub">{formatDateTime(row.sentAt)}</span> : null}
                  {row.lastError && row.state !== 'sent' ? <span className="sync-sub sync-error">{row.lastError}</span> : null}
                  {row.state === 'pending' && row.attempts > 0 ? <span className="sync-sub">Next try {formatDateTime(row.nextAttemptAt)}</span> : null}
                </td>
                <td>{row.attempts}</td>
                <td>
                  {row.state === 'failed' ? (
                    <button type="button" className="secondary" onClick={() => void retry(row.id)}>
                      Send again
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
