/** The catalogue: search, add, edit, archive; a product's stock with its adjustments, counts and history. */
import { useCallback, useEffect, useState } from 'react';
import type { CallResponse, ProductView, StockEntry } from '../../../../preload/api';
import { newCommandId } from '../../components/queue/commandId';
import { getClient } from '../../client';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import { blankDraft, draftOf, ProductEditor } from './ProductEditor';
import { StockDialog } from './StockDialog';
import { dollars, thcLabel } from './units';

export type CatalogueConfig = CallResponse<'catalogue.config'>;

export function CatalogueTab({ config, canManage }: { config: CatalogueConfig; canManage: boolean }) {
  const [query, setQuery] = useState('');
  const [archived, setArchived] = useState(false);
  const [products, setProducts] = useState<ProductView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<ProductView | null>(null);
  const [editing, setEditing] = useState<ProductView | 'new' | null>(null);

  const refresh = useCallback(() => {
    void call('catalogue.list', { query, includeArchived: archived, limit: 200 }).then((result) => {
      if (result.ok) {
        setProducts(result.value);
        setError(null);
      } else setError(result.error.message);
    });
  }, [query, archived]);

  useEffect(() => {
    const timer = setTimeout(refresh, 150);
    return () => clearTimeout(timer);
  }, [refresh]);
  useEffect(() => getClient().on('catalogue.changed', () => refresh()), [refresh]);

  if (editing) {
    return (
      <ProductEditor
        key={editing === 'new' ? 'new' : editing.id}
        product={editing === 'new' ? null : editing}
        initial={editing === 'new' ? blankDraft(config.categories, config.adultUseAvailable, config.medicalAvailable) : draftOf(editing)}
        categories={config.categories}
        medicalAvailable={config.medicalAvailable}
        adultUseAvailable={config.adultUseAvailable}
        onSaved={(product) => {
          setEditing(null);
          setSelected(product);
          refresh();
        }}
        onCancel={() => setEditing(null)}
      />
    );
  }

  return (
    <div className="ct-split">
      <section className="panel ct-list" aria-labelledby="ct-list-title">
        <div className="ct-head">
          <h2 id="ct-list-title">Products</h2>
          {canManage ? (
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              Add product
            </button>
          ) : null}
        </div>
        <div className="row">
          <label className="ct-search">
            Search
            <input type="search" value={query} placeholder="Name, category or barcode" onChange={(e) => setQuery(e.target.value)} />
          </label>
          <label className="ct-check">
            <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Show archived
          </label>
        </div>
        {error ? <p className="error">{error}</p> : null}
        <table className="table ct-table" aria-label="Products">
          <thead>
            <tr>
              <th>Name</th>
              <th>Category</th>
              <th className="ct-num">Price</th>
              <th className="ct-num">On hand</th>
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr key={product.id} aria-selected={selected?.id === product.id} className={product.archived ? 'ct-archived' : undefined}>
                <td>
                  <button type="button" className="link ct-name" onClick={() => setSelected(product)}>
                    {product.name}
                  </button>
                  {product.archived ? <span className="ct-badge">Archived</span> : null}
                  {!product.packageLabel ? <span className="ct-badge ct-badge-warn">No package yet</span> : null}
                </td>
                <td>{product.categoryLabel}</td>
                <td className="ct-num">{dollars(product.priceCents)}</td>
                <td className="ct-num">{product.onHand}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {products.length === 0 ? <p className="muted">{query ? 'No product matches.' : 'No products yet: add one, or receive a package from the state system.'}</p> : null}
      </section>
      {selected ? (
        <ProductDetail
          key={selected.id}
          productId={selected.id}
          config={config}
          canManage={canManage}
          onEdit={(product) => setEditing(product)}
          onChanged={(product) => {
            setSelected(product);
            refresh();
          }}
        />
      ) : null}
    </div>
  );
}

function ProductDetail(props: { productId: string; config: CatalogueConfig; canManage: boolean; onEdit(product: ProductView): void; onChanged(product: ProductView): void }) {
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [product, setProduct] = useState<ProductView | null>(null);
  const [history, setHistory] = useState<StockEntry[]>([]);
  const [dialog, setDialog] = useState<'adjust' | 'count' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    void call('catalogue.get', { productId: props.productId }).then((result) => {
      if (result.ok) setProduct(result.value);
      else setError(result.error.message);
    });
    if (props.canManage) {
      void call('catalogue.stockHistory', { productId: props.productId, limit: 20 }).then((result) => {
        if (result.ok) setHistory(result.value);
      });
    }
  }, [props.productId, props.canManage]);
  useEffect(load, [load]);

  if (!product) return <section className="panel">{error ?? 'Loading…'}</section>;
  const archive = async () => {
    const result = await call('catalogue.archive', { commandId: newCommandId(), productId: product.id, archived: !product.archived });
    if (!result.ok) return setError(result.error.message);
    setProduct(result.value);
    props.onChanged(result.value);
  };
  const when = (at: number) => new Date(at).toLocaleString('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section className="panel ct-detail" aria-labelledby="ct-detail-title">
      <h2 id="ct-detail-title">{product.name}</h2>
      <dl className="facts">
        <dt>On hand</dt>
        <dd data-testid="ct-on-hand">{product.onHand}</dd>
        <dt>Package</dt>
        <dd>{product.packageLabel ?? 'None yet: receive one under Receive stock'}</dd>
        <dt>Category</dt>
        <dd>{product.categoryLabel}</dd>
        <dt>Price</dt>
        <dd>{dollars(product.priceCents)}</dd>
        <dt>THC</dt>
        <dd>{thcLabel(product.thcValue, product.thcUnit)}</dd>
        <dt>Sold to</dt>
        <dd>{[product.soldMedical ? 'Medical' : null, product.soldAdultUse ? 'Adult use' : null].filter(Boolean).join(' and ')}</dd>
        <dt>Barcodes</dt>
        <dd>{[product.upc, ...product.barcodes].filter(Boolean).join(', ') || '—'}</dd>
        <dt>Tax class</dt>
        <dd>
          <ul className="ct-taxlist" aria-label="Taxes">
            {product.taxes.map((words) => (
              <li key={words}>{words}</li>
            ))}
          </ul>
        </dd>
      </dl>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {props.canManage ? (
        <div className="row">
          <button type="button" className="secondary" onClick={() => props.onEdit(product)}>
            Edit
          </button>
          <button type="button" className="secondary" onClick={() => setDialog('adjust')}>
            Adjust stock
          </button>
          <button type="button" className="secondary" onClick={() => setDialog('count')}>
            Count
          </button>
          <button type="button" className="secondary" onClick={() => void archive()}>
            {product.archived ? 'Bring back' : 'Archive'}
          </button>
        </div>
      ) : null}
      {props.canManage ? (
        <>
          <h3>Stock history</h3>
          {history.length === 0 ? (
            <p className="muted">Nothing received, adjusted or counted yet.</p>
          ) : (
            <table className="table" aria-label="Stock history">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th className="ct-num">Change</th>
                  <th>By</th>
                </tr>
              </thead>
              <tbody>
                {history.map((entry, index) => (
                  <tr key={index}>
                    <td>{when(entry.at)}</td>
                    <td>{entry.what}</td>
                    <td className="ct-num">{entry.quantityDelta > 0 ? `+${entry.quantityDelta}` : entry.quantityDelta}</td>
                    <td>
                      {entry.employeeName ?? '—'}
                      {entry.approvedByName ? `, approved by ${entry.approvedByName}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
      {dialog ? (
        <StockDialog
          kind={dialog}
          product={product}
          reasons={props.config.adjustReasons}
          onDone={(next) => {
            setDialog(null);
            setProduct(next);
            props.onChanged(next);
            load();
          }}
          onCancel={() => setDialog(null)}
        />
      ) : null}
    </section>
  );
}
