/**
 * The one CSV import flow every importer uses (customers from another POS, the catalogue): choose
 * a file, send it in parts, check it (nothing written), optionally say which of the file's
 * columns holds each field, see every row to fix by its line and the rows skipped, then import
 * it all at once; and export. Each importer gives only its calls, its fields and its sample table.
 */
import { useRef, useState, type ReactNode } from 'react';
import type { ImportProblem, Result } from '../../../../preload/api';
import { ImportProblems } from './ImportProblems';
import { Outcome } from './Outcome';
import { saveCsv, uploadFile } from './files';

/** Field → the file's column header (null: not in the file). */
export type ColumnMapping<F extends string> = Partial<Record<F, string | null>>;

/** What every importer's check answers. */
export interface CsvPreview {
  rows: number;
  problems: ImportProblem[];
  /** Rows skipped because they are already here. */
  duplicates?: ImportProblem[];
  /** The file's headers and the mapping used, for importers with a column mapping. */
  columns?: string[];
  mapping?: Record<string, string | null>;
}

/** Which of the file's columns holds each field (importers whose files name columns their own way). */
export interface MappingSpec<F extends string> {
  fields: readonly F[];
  labels: Record<F, string>;
  required: readonly F[];
}

export interface CsvImportProps<F extends string, P extends CsvPreview> {
  /** The accessible name of the file input ("Customer CSV file"). */
  fileLabel: string;
  chooseLabel: string;
  exportLabel: string;
  /** Headings and words around the controls. */
  title: string;
  intro: ReactNode;
  mapping?: MappingSpec<F>;
  /** Check the uploaded file (nothing is written). */
  check(uploadId: string, mapping: ColumnMapping<F> | null): Promise<Result<P>>;
  /** Write it; the words saying what was done. */
  commit(uploadId: string, mapping: ColumnMapping<F> | null): Promise<Result<string>>;
  /** Make the export; the words saying what was saved. */
  exportCsv(): Promise<Result<{ fileName: string; text: string; done: string }>>;
  /** The preview's first line ("3 rows: 2 ready…"). */
  summary(preview: P): ReactNode;
  /** How many rows Import would write. */
  ready(preview: P): number;
  /** The button's words for that many rows ("Import 3 customers"). */
  importLabel(ready: number): string;
  /** Said when nothing is left to import and nothing to fix. */
  nothingToImport: string;
  /** Said while a row needs fixing. */
  fixFirst: string;
  /** The first rows as they will be imported. */
  sample: { headers: Array<{ label: string; numeric?: boolean }>; rows(preview: P): Array<{ key: string | number; cells: ReactNode[]; className?: Array<string | undefined> }> };
  /** Turn the file heading into its own panel above the mapping, or keep all in one panel. */
  layout: 'page' | 'panel';
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((column, index) => column === b[index]);
}

/** The header line of a file the core could not check, so columns can still be mapped by hand. */
async function headerOf(file: File): Promise<string[]> {
  const header = (await file.slice(0, 64 * 1024).text()).split(/\r?\n/)[0] ?? '';
  return header
    .split(',')
    .map((h) => h.replace(/^\uFEFF/, '').replace(/^"|"$/g, '').trim())
    .filter((h) => h !== '');
}

export function CsvImport<F extends string, P extends CsvPreview>(props: CsvImportProps<F, P>) {
  const { mapping: spec } = props;
  const input = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [preview, setPreview] = useState<P | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping<F> | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const show = (value: P) => {
    setPreview(value);
    if (spec) {
      setColumns(value.columns ?? []);
      setMapping((value.mapping ?? {}) as ColumnMapping<F>);
    }
  };

  const checkAgain = async (id: string, chosen: ColumnMapping<F> | null) => {
    setBusy('Checking every row…');
    setError(null);
    const result = await props.check(id, chosen);
    setBusy(null);
    if (!result.ok) {
      setPreview(null);
      return setError(result.error.message);
    }
    show(result.value);
  };

  const choose = async (file: File) => {
    setFileName(file.name);
    setPreview(null);
    setDone(null);
    setError(null);
    setBusy('Reading the file…');
    const uploaded = await uploadFile(file);
    if (!uploaded.ok) {
      setBusy(null);
      return setError(uploaded.message);
    }
    setUploadId(uploaded.uploadId);
    setBusy('Checking every row…');
    // The headers come back with the first check, even when a required column is missing.
    let first = await props.check(uploaded.uploadId, null);
    // A file with the same columns as the last one keeps the columns chosen for it.
    if (spec && first.ok && mapping && sameColumns(first.value.columns ?? [], columns)) {
      first = await props.check(uploaded.uploadId, mapping);
    }
    setBusy(null);
    if (first.ok) return show(first.value);
    setError(first.error.message);
    if (spec) {
      // Let the person map the columns by hand: read the header from the file itself.
      setColumns(await headerOf(file));
      setMapping(Object.fromEntries(spec.fields.map((f) => [f, null])) as ColumnMapping<F>);
    }
  };

  const commit = async () => {
    if (!uploadId) return;
    setBusy('Importing…');
    const full = spec && mapping ? (Object.fromEntries(spec.fields.map((f) => [f, mapping[f] ?? null])) as ColumnMapping<F>) : null;
    const result = await props.commit(uploadId, full);
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    // The columns chosen stay for the next file with the same header.
    setPreview(null);
    setUploadId(null);
    setDone(result.value);
  };

  const exportCsv = async () => {
    setError(null);
    const result = await props.exportCsv();
    if (!result.ok) return setError(result.error.message);
    saveCsv(result.value.fileName, result.value.text);
    setDone(result.value.done);
  };

  const fileControls = (
    <>
      {props.intro}
      <div className="row">
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          {props.chooseLabel}
        </button>
        <button type="button" className="secondary" onClick={() => void exportCsv()}>
          {props.exportLabel}
        </button>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          hidden
          aria-label={props.fileLabel}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void choose(file);
          }}
        />
      </div>
      <Outcome busy={busy} error={error} done={done} />
    </>
  );

  const mappingPanel =
    spec && mapping && uploadId ? (
      <section className="panel" aria-labelledby="im-map-title">
        {props.layout === 'page' ? <h2 id="im-map-title">Columns in {fileName}</h2> : <h3 id="im-map-title">Columns in {fileName}</h3>}
        <p className="muted">Which column of the file holds each field. Fields marked * are needed.</p>
        <div className="im-mapping">
          {spec.fields.map((field) => (
            <label key={field}>
              {spec.labels[field]}
              {spec.required.includes(field) ? ' *' : ''}
              <select
                aria-label={spec.labels[field]}
                value={mapping[field] ?? ''}
                onChange={(e) => setMapping({ ...mapping, [field]: e.target.value === '' ? null : e.target.value })}
              >
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
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void checkAgain(uploadId, mapping)}>
            Check again with these columns
          </button>
        </div>
      </section>
    ) : null;

  const ready = preview ? props.ready(preview) : 0;
  const duplicates = preview?.duplicates ?? [];
  const sampleRows = preview ? props.sample.rows(preview) : [];
  const previewPanel = preview ? (
    <section className={props.layout === 'page' ? 'panel im-preview' : 'im-preview'} aria-labelledby="im-preview-title">
      {props.layout === 'page' ? <h2 id="im-preview-title">Preview</h2> : <h3 id="im-preview-title">Preview</h3>}
      <p>
        <strong>{fileName}</strong>: {props.summary(preview)}
      </p>
      <ImportProblems title="Rows to fix" problems={preview.problems} total={preview.problems.length} tone="error" />
      <ImportProblems title="Already here (skipped)" problems={duplicates} total={duplicates.length} tone="note" />
      {sampleRows.length > 0 ? (
        <table className="table" aria-label="First rows">
          <thead>
            <tr>
              {props.sample.headers.map((header) => (
                <th key={header.label} className={header.numeric ? 'ct-num' : undefined}>
                  {header.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sampleRows.map((row) => (
              <tr key={row.key}>
                {row.cells.map((cell, index) => (
                  <td key={props.sample.headers[index]?.label ?? index} className={row.className?.[index] ?? (props.sample.headers[index]?.numeric ? 'ct-num' : undefined)}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preview.problems.length > 0 ? (
        <p className="error">{props.fixFirst}</p>
      ) : ready > 0 ? (
        <button type="button" className="primary" disabled={busy !== null} onClick={() => void commit()}>
          {props.importLabel(ready)}
        </button>
      ) : (
        <p className="muted">{props.nothingToImport}</p>
      )}
    </section>
  ) : null;

  if (props.layout === 'panel') {
    return (
      <section className="panel" aria-labelledby="im-file-title">
        <h2 id="im-file-title">{props.title}</h2>
        {fileControls}
        {mappingPanel}
        {previewPanel}
      </section>
    );
  }
  return (
    <>
      <section className="panel" aria-labelledby="im-file-title">
        <h2 id="im-file-title">{props.title}</h2>
        {fileControls}
      </section>
      {mappingPanel}
      {previewPanel}
    </>
  );
}
