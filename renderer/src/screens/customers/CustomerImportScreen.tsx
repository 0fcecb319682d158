/**
 * Bring customers over from another POS: choose its CSV export, check which column holds each
 * field, see every row that needs fixing (by line) and who is already here, then import them all
 * at once. Nothing is written before Import. And the customers as a CSV, in the same columns.
 */
import { CUSTOMER_IMPORT_FIELDS, REQUIRED_CUSTOMER_FIELDS, type CustomerImportField, type CustomerImportPreview } from '../../../../preload/api';
import { showDate } from '../../components/customers/dateEntry';
import { CsvImport, type ColumnMapping } from '../../components/imports/CsvImport';
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

const STATUS_WORDS: Record<CustomerImportPreview['sample'][number]['status'], string> = {
  ready: 'Imported',
  duplicate: 'Skipped: already here',
  problem: 'Needs fixing',
};

/** Every field named, those not in the file as null (the commit takes a whole mapping). */
function wholeMapping(mapping: ColumnMapping<CustomerImportField> | null): Record<CustomerImportField, string | null> {
  return Object.fromEntries(CUSTOMER_IMPORT_FIELDS.map((f) => [f, mapping?.[f] ?? null])) as Record<CustomerImportField, string | null>;
}

export function CustomerImportScreen({ onBack }: { onBack(): void }) {
  return (
    <section className="page ct-page" aria-labelledby="page-title">
      <div className="ct-head">
        <h1 id="page-title">Import or export customers</h1>
        <button type="button" className="secondary" onClick={onBack}>
          Back to customers
        </button>
      </div>
      <CsvImport<CustomerImportField, CustomerImportPreview>
        layout="page"
        title="Bring customers over from another POS"
        intro={
          <p className="muted">
            Export the customers from the other program as a CSV (UTF-8), then choose the file here. The first line must name the columns; first name,
            last name and birth date are needed, the rest is optional (licence number, medical ID and expirations, phone, email, address, notes).
            Nothing is imported until you press Import, and then every row goes in at once.
          </p>
        }
        fileLabel="Customer CSV file"
        chooseLabel="Choose a CSV file…"
        exportLabel="Export customers"
        mapping={{ fields: CUSTOMER_IMPORT_FIELDS, labels: FIELD_LABELS, required: REQUIRED_CUSTOMER_FIELDS }}
        check={(uploadId, mapping) => call('customers.import.preview', { uploadId, mapping })}
        commit={async (uploadId, mapping) => {
          const result = await call('customers.import.commit', { commandId: newCommandId(), uploadId, mapping: wholeMapping(mapping) });
          if (!result.ok) return result;
          const { imported, skippedDuplicates } = result.value;
          return { ok: true, value: `Imported ${imported} customers${skippedDuplicates > 0 ? `; ${skippedDuplicates} already here were skipped` : ''}.` };
        }}
        exportCsv={async () => {
          const result = await call('customers.exportCsv', {});
          if (!result.ok) return result;
          const { fileName, text, rows } = result.value;
          return { ok: true, value: { fileName, text, done: `Exported ${rows} customers to ${fileName}.` } };
        }}
        summary={(preview) => (
          <>
            {preview.rows} rows: <strong>{preview.ready} ready to import</strong>
            {preview.duplicates.length > 0 ? `, ${preview.duplicates.length} already here (skipped)` : ''}
            {preview.problems.length > 0 ? `, ${preview.problems.length} to fix` : ''}.
          </>
        )}
        ready={(preview) => preview.ready}
        importLabel={(ready) => `Import ${ready} customers`}
        nothingToImport="Every customer in the file is already here."
        fixFirst="Nothing is imported while a row needs fixing: correct those lines in the file (or choose other columns above) and check again."
        sample={{
          headers: [{ label: 'Line', numeric: true }, { label: 'Name' }, { label: 'Birth date' }, { label: 'Type' }, { label: 'Medical ID' }, { label: 'Will be' }],
          rows: (preview) =>
            preview.sample.map((row) => ({
              key: row.line,
              cells: [row.line, row.name, showDate(row.dateOfBirth), row.customerType, row.medicalId ?? '—', STATUS_WORDS[row.status]],
              className: [undefined, undefined, undefined, undefined, undefined, `im-status-${row.status}`],
            })),
        }}
      />
    </section>
  );
}
