/** The catalogue as a CSV: export it, or import a file (checked first; nothing is written until Import). */
import { useRef, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { ImportProblems } from '../../components/imports/ImportProblems';
import { saveCsv, uploadFile } from '../../components/imports/files';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import { dollars } from './units';

type Preview = CallResponse<'catalogue.importCsv.preview'>;

export function CatalogueCsvTab() {
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const exportCsv = async () => {
    const result = await call('catalogue.exportCsv', {});
    if (!result.ok) return setError(result.error.message);
    saveCsv(result.value.fileName, result.value.text);
    setDone(`Exported ${result.value.rows} products to ${result.value.fileName}.`);
  };

  const choose = async (file: File) => {
    setFileName(file.name);
    setPreview(null);
    setDone(null);
    setError(null);
    setBusy('Checking the file…');
    const uploaded = await uploadFile(file);
    if (!uploaded.ok) {
      setBusy(null);
      return setError(uploaded.message);
    }
    setUploadId(uploaded.uploadId);
    const result = await call('catalogue.importCsv.preview', { uploadId: uploaded.uploadId });
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    setPreview(result.value);
  };

  const commit = async () => {
    if (!uploadId) return;
    setBusy('Importing…');
    const result = await call('catalogue.importCsv.commit', { commandId: newCommandId(), uploadId });
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    setPreview(null);
    setUploadId(null);
    setDone(`Imported: ${result.value.created} products added, ${result.value.updated} updated.`);
  };

  return (
    <section className="panel" aria-labelledby="ct-csv-title">
      <h2 id="ct-csv-title">Catalogue as CSV</h2>
      <p className="muted">
        Columns: id, name, category, price, unit_weight_g, usable_weight_g, thc (22.5% or 100mg), medical, adult_use (yes or no), upc, barcodes. Leave the id
        empty to add a product; keep the id from an export to change one. Stock is not imported: receive it from the state system.
      </p>
      <div className="row">
        <button type="button" className="secondary" onClick={() => void exportCsv()}>
          Export catalogue
        </button>
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          Import a CSV file…
        </button>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          hidden
          aria-label="Catalogue CSV file"
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
      {preview ? (
        <div className="im-preview" aria-label="Import preview">
          <p>
            <strong>{fileName}</strong>: {preview.rows} rows — {preview.creates} to add, {preview.updates} to update
            {preview.problems.length > 0 ? `, ${preview.problems.length} with problems` : ''}.
          </p>
          <ImportProblems title="Rows to fix" problems={preview.problems} total={preview.problems.length} tone="error" />
          {preview.sample.length > 0 ? (
            <table className="table" aria-label="First rows">
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Product</th>
                  <th>Category</th>
                  <th className="ct-num">Price</th>
                  <th>Will be</th>
                </tr>
              </thead>
              <tbody>
                {preview.sample.map((row) => (
                  <tr key={row.line}>
                    <td className="ct-num">{row.line}</td>
                    <td>{row.name}</td>
                    <td>{row.category}</td>
                    <td className="ct-num">{dollars(row.priceCents)}</td>
                    <td>{row.action === 'create' ? 'Added' : 'Updated'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {preview.problems.length > 0 ? (
            <p className="error">Nothing is imported while a row has a problem: fix the file and choose it again.</p>
          ) : (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void commit()}>
              Import {preview.rows} products
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}
