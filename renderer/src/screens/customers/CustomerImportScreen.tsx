/**
 * Bring customers over from another POS: choose its CSV export, check which column holds each
 * field, see every row that needs fixing (by line) and who is already here, then import them all
 * at once. Nothing is written before Import. And the customers as a CSV, in the same columns.
 */
import { useRef, useState } from 'react';
import { CUSTOMER_IMPORT_FIELDS, REQUIRED_CUSTOMER_FIELDS, type CustomerImportField, type CustomerImportPreview } from '../../../../preload/api';
import { ImportProblems } from '../../components/imports/ImportProblems';
import { saveCsv, uploadFile } from '../../components/imports/files';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import '../../styles/catalogue.css';

const FIELD_LABELS: Record<CustomerImportField, string> = {
  first_name: 'First name',
  middle_name: 'Middle name',
  last_name: 'Last name',
  date_of_birth: 'Birth date',
  customer_type: 'Customer type',
  licence_number: 'Licence number',
  licence_state: 'Licence state',
  licence_expires: 'Licence expiration',
  medical_id: 'Medical ID',
  medical_id_expires: 'Medical ID expiration',
  caregiver_id: 'Caregiver ID',
  caregiver_id_expires: 'Caregiver ID expiration',
  recommendation_expires: 'Recommendation expiration',
  phone: 'Phone',
  email: 'Email',
  street: 'Street',
  city: 'City',
  state: 'State',
  postal_code: 'Postal code',
  notes: 'Notes',
};

type Mapping = Partial<Record<CustomerImportField, string | null>>;

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((column, index) => column === b[index]);
}

export function CustomerImportScreen({ onBack }: { onBack(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [preview, setPreview] = useState<CustomerImportPreview | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const check = async (id: string, chosen: Mapping | null) => {
    setBusy('Checking every row…');
    setError(null);
    const result = await call('customers.import.preview', { uploadId: id, mapping: chosen });
    setBusy(null);
    if (!result.ok) {
      setPreview(null);
      return setError(result.error.message);
    }
    setPreview(result.value);
    setColumns(result.value.columns);
    setMapping(result.value.mapping as Mapping);
  };

  const choose = async (file: File) => {
    setFileName(file.name);
    setPreview(null);
    setMapping(null);
    setDone(null);
    setError(null);
    setBusy('Reading the file…');
    const uploaded = await uploadFile(file);
    if (!uploaded.ok) {
      setBusy(null);
      return setError(uploaded.message);
    }
    setUploadId(uploaded.uploadId);
    // The headers come back with the first check, even when a required column is missing.
    let first = await call('customers.import.preview', { uploadId: uploaded.uploadId, mapping: null });
    // A file with the same columns as the last one keeps the columns chosen for it.
    if (first.ok && mapping && sameColumns(first.value.columns, columns)) {
      first = await call('customers.import.preview', { uploadId: uploaded.uploadId, mapping });
    }
    setBusy(null);
    if (first.ok) {
      setPreview(first.value);
      setColumns(first.value.columns);
      setMapping(first.value.mapping as Mapping);
    } else {
      setError(first.error.message);
      // Let the person map the columns by hand: read the header from the file itself.
      const header = (await file.slice(0, 64 * 1024).text()).split(/\r?\n/)[0] ?? '';
      setColumns(header.split(',').map((h) => h.replace(/^\uFEFF/, '').replace(/^"|"$/g, '').trim()).filter((h) => h !== ''));
      setMapping(Object.fromEntries(CUSTOMER_IMPORT_FIELDS.map((f) => [f, null])) as Mapping);
    }
  };

  const commit = async () => {
    if (!uploadId || !mapping) return;
    setBusy('Importing…');
    const full: Mapping = Object.fromEntries(CUSTOMER_IMPORT_FIELDS.map((f) => [f, mapping[f] ?? null]));
    const result = await call('customers.import.commit', { commandId: newCommandId(), uploadId, mapping: full });
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    // The columns chosen stay for the next file with the same header.
    setPreview(null);
    setUploadId(null);
    setDone(
      `Imported ${result.value.imported} customers${result.value.skippedDuplicates > 0 ? `; ${result.value.skippedDuplicates} already here were skipped` : ''}.`,
    );
  };

  const exportCsv = async () => {
    const result = await call('customers.exportCsv', {});
    if (!result.ok) return setError(result.error.message);
    saveCsv(result.value.fileName, result.value.text);
    setDone(`Exported ${result.value.rows} customers to ${result.value.fileName}.`);
  };

  return (
    <section className="page ct-page" aria-labelledby="page-title">
      <div className="ct-head">
        <h1 id="page-title">Import or export customers</h1>
        <button type="button" className="secondary" onClick={onBack}>
          Back to customers
        </button>
      </div>
      <section className="panel" aria-labelledby="im-file-title">
        <h2 id="im-file-title">Bring customers over from another POS</h2>
        <p className="muted">
          Export the customers from the other program as a CSV (UTF-8), then choose the file here. The first line must name the columns; first name,
          last name and birth date are needed, the rest is optional (licence number, medical ID and expirations, phone, email, address, notes).
          Nothing is imported until you press Import, and then every row goes in at once.
        </p>
        <div className="row">
          <button type="button" className="primary" onClick={() => input.current?.click()}>
            Choose a CSV file…
          </button>
          <button type="button" className="secondary" onClick={() => void exportCsv()}>
            Export customers
          </button>
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            hidden
            aria-label="Customer CSV file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) void choose(file);
            }}
          />
        </div>
        {busy ? <p role="status">{busy}</p> : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        {done ? (
          <p className="ct-done" role="status">
            {done}
          </p>
        ) : null}
      </section>

      {mapping && uploadId ? (
        <section className="panel" aria-labelledby="im-map-title">
          <h2 id="im-map-title">Columns in {fileName}</h2>
          <p className="muted">Which column of the file holds each field. Fields marked * are needed.</p>
          <div className="im-mapping">
            {CUSTOMER_IMPORT_FIELDS.map((field) => (
              <label key={field}>
                {FIELD_LABELS[field]}
                {REQUIRED_CUSTOMER_FIELDS.includes(field) ? ' *' : ''}
                <select aria-label={FIELD_LABELS[field]} value={mapping[field] ?? ''} onChange={(e) => setMapping({ ...mapping, [field]: e.target.value === '' ? null : e.target.value })}>
                  <option value="">Not in the file</option>
                  {columns.map((column) => (
                    <option key={column} value={column}>
                      {column}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <div className="row">
            <button type="button" className="secondary" disabled={busy !== null} onClick={() => void check(uploadId, mapping)}>
              Check again with these columns
            </button>
          </div>
        </section>
      ) : null}

      {preview ? (
        <section className="panel im-preview" aria-labelledby="im-preview-title">
          <h2 id="im-preview-title">Preview</h2>
          <p>
            {preview.rows} rows: <strong>{preview.ready} ready to import</strong>
            {preview.duplicates.length > 0 ? `, ${preview.duplicates.length} already here (skipped)` : ''}
            {preview.problems.length > 0 ? `, ${preview.problems.length} to fix` : ''}.
          </p>
          <ImportProblems title="Rows to fix" problems={preview.problems} total={preview.problems.length} tone="error" />
          <ImportProblems title="Already here (skipped)" problems={preview.duplicates} total={preview.duplicates.length} tone="note" />
          <table className="table" aria-label="First rows">
            <thead>
              <tr>
                <th>Line</th>
                <th>Name</th>
                <th>Birth date</th>
                <th>Type</th>
                <th>Medical ID</th>
                <th>Will be</th>
              </tr>
            </thead>
            <tbody>
              {preview.sample.map((row) => (
                <tr key={row.line}>
                  <td className="ct-num">{row.line}</td>
                  <td>{row.name}</td>
                  <td>{row.dateOfBirth}</td>
                  <td>{row.customerType}</td>
                  <td>{row.medicalId ?? '—'}</td>
                  <td className={`im-status-${row.status}`}>{row.status === 'ready' ? 'Imported' : row.status === 'duplicate' ? 'Skipped: already here' : 'Needs fixing'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.problems.length > 0 ? (
            <p className="error">Nothing is imported while a row needs fixing: correct those lines in the file (or choose other columns above) and check again.</p>
          ) : preview.ready > 0 ? (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void commit()}>
              Import {preview.ready} customers
            </button>
          ) : (
            <p className="muted">Every customer in the file is already here.</p>
          )}
        </section>
      ) : null}
    </section>
  );
}
