/**
 * Settings › Store hub, for a manager: the customer edits the hub merged while stations were apart
 * (per field the later edit was kept; the other is listed with the station and the time) and the
 * duplicate customers it merged (one person signed up at two stations cut off from each other).
 */
import { useCallback, useEffect, useState } from 'react';
import type { HubConflict, HubMerge } from '../../../../preload/api';
import { getClient } from '../../client';
import { formatDateTime } from '../../format';
import { call } from '../../register';

const FIELD_LABELS: Record<string, string> = {
  customerType: 'Customer type',
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  identificationExpires: 'ID expires',
  medicalId: 'Medical ID',
  medicalIdExpires: 'Medical ID expires',
  caregiverId: 'Caregiver ID',
  caregiverIdExpires: 'Caregiver ID expires',
  phone: 'Phone',
  email: 'Email',
  licenceNumber: 'Licence number',
  licenceState: 'Licence state',
  nickname: 'Nickname',
  notes: 'Notes',
  'profile.photo_document_id': 'Photo',
};

/** A field's name in words: the known ones by name, others from their key ("profile.other_phone" → "Other phone"). */
export function fieldLabel(field: string): string {
  const known = FIELD_LABELS[field];
  if (known) return known;
  const key = field.replace(/^profile\./, '').replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function valueText(value: HubConflict['keptValue']): string {
  if (value === null || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

export function HubMergesSection() {
  const [data, setData] = useState<{ conflicts: HubConflict[]; merges: HubMerge[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await call('hub.conflicts', {});
    if (result.ok) {
      setData(result.value);
      setError(null);
    } else setError(result.error.message);
  }, []);

  useEffect(() => {
    void load();
    const client = getClient();
    const stops = [client.on('hub.changed', () => void load()), client.on('customers.changed', () => void load())];
    return () => stops.forEach((stop) => stop());
  }, [load]);

  return (
    <div className="hub-merges" data-testid="hub-merges">
      <h3 id="hub-conflicts-title">Customer edits merged by the hub</h3>
      {error ? <p className="error-text">{error}</p> : null}
      {data && data.conflicts.length === 0 ? <p className="hint">No customer was changed at two stations while they were apart.</p> : null}
      {data && data.conflicts.length > 0 ? (
        <table className="hub-conflicts" aria-labelledby="hub-conflicts-title">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Field</th>
              <th scope="col">Kept (later edit)</th>
              <th scope="col">Not kept (earlier edit)</th>
            </tr>
          </thead>
          <tbody>
            {data.conflicts.map((c) => (
              <tr key={c.id} data-testid="hub-conflict">
                <td>{c.customerName}</td>
                <td>{fieldLabel(c.field)}</td>
                <td>
                  <strong>{valueText(c.keptValue)}</strong>
                  {c.keptAt !== null ? <span className="hint"> · {formatDateTime(c.keptAt)}</span> : null}
                </td>
                <td>
                  {valueText(c.lostValue)}
                  <span className="hint">
                    {' '}
                    · {c.lostStation}, {formatDateTime(c.lostAt)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3 id="hub-merged-title">Duplicate customers merged</h3>
      {data && data.merges.length === 0 ? <p className="hint">No customer was signed up twice.</p> : null}
      {data && data.merges.length > 0 ? (
        <ul aria-labelledby="hub-merged-title">
          {data.merges.map((m) => (
            <li key={m.id} data-testid="hub-merge">
              Two sign-ups of <strong>{m.survivorName}</strong> merged into the earlier one, {formatDateTime(m.at)}.
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
