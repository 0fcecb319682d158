/** The catalogue as a CSV: export it, or import a file (checked first; nothing is written until Import). */
import type { CallResponse } from '../../../../preload/api';
import { CsvImport } from '../../components/imports/CsvImport';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import { dollars } from './units';

type Preview = CallResponse<'catalogue.importCsv.preview'>;

const products = (count: number) => `${count} ${count === 1 ? 'product' : 'products'}`;

export function CatalogueCsvTab() {
  return (
    <CsvImport<never, Preview>
      layout="panel"
      title="Catalogue as CSV"
      intro={
        <p className="muted">
          Columns: id, name, category, price, unit_weight_g, usable_weight_g, thc (22.5% or 100mg), medical, adult_use (yes or no), upc, barcodes. Leave the id
          empty to add a product; keep the id from an export to change one. Stock is not imported: receive it from the state system.
        </p>
      }
      fileLabel="Catalogue CSV file"
      chooseLabel="Import a CSV file…"
      exportLabel="Export catalogue"
      check={(uploadId) => call('catalogue.importCsv.preview', { uploadId })}
      commit={async (uploadId) => {
        const result = await call('catalogue.importCsv.commit', { commandId: newCommandId(), uploadId });
        if (!result.ok) return result;
        return { ok: true, value: `Imported: ${products(result.value.created)} added, ${result.value.updated} updated.` };
      }}
      exportCsv={async () => {
        const result = await call('catalogue.exportCsv', {});
        if (!result.ok) return result;
        const { fileName, text, rows } = result.value;
        return { ok: true, value: { fileName, text, done: `Exported ${rows} products to ${fileName}.` } };
      }}
      summary={(preview) => (
        <>
          {preview.rows} rows — {preview.creates} to add, {preview.updates} to update
          {preview.problems.length > 0 ? `, ${preview.problems.length} with problems` : ''}.
        </>
      )}
      ready={(preview) => preview.creates + preview.updates}
      importLabel={(ready) => `Import ${products(ready)}`}
      nothingToImport="The file has no products in it."
      fixFirst="Nothing is imported while a row has a problem: fix the file and choose it again."
      sample={{
        headers: [{ label: 'Line', numeric: true }, { label: 'Product' }, { label: 'Category' }, { label: 'Price', numeric: true }, { label: 'Will be' }],
        rows: (preview) =>
          preview.sample.map((row) => ({
            key: row.line,
            cells: [row.line, row.name, row.category, dollars(row.priceCents), row.action === 'create' ? 'Added' : 'Updated'],
          })),
      }}
    />
  );
}
