/**
 * Receive stock: the store's packages as the state system lists them. Each is received onto a
 * product (one already in the catalogue, or a new one made from the package) with the quantity
 * that arrived.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ProductView, TracePackageView } from '../../../../preload/api';
import { Outcome } from '../../components/imports/Outcome';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import type { CatalogueConfig } from './CatalogueTab';
import { blankDraft, ProductEditor } from './ProductEditor';

export function ReceivingTab({ config }: { config: CatalogueConfig }) {
  const [packages, setPackages] = useState<TracePackageView[] | null>(null);
  const [provider, setProvider] = useState(config.provider ?? 'the state system');
  const [products, setProducts] = useState<ProductView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [showReceived, setShowReceived] = useState(false);
  const [making, setMaking] = useState<TracePackageView | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    const [listed, catalogue] = await Promise.all([call('catalogue.packages', {}), call('catalogue.list', { query: '', includeArchived: false, limit: 500 })]);
    setLoading(false);
    if (catalogue.ok) setProducts(catalogue.value);
    if (!listed.ok) return setError(listed.error.message);
    setProvider(listed.value.provider);
    setPackages(listed.value.packages);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (making) {
    const category = making.suggestedCategory ?? config.categories[0]?.id ?? '';
    const grams = making.usableWeightMg ? String(making.usableWeightMg / 1000) : '';
    return (
      <ProductEditor
        product={null}
        initial={{ ...blankDraft(config.categories, config.adultUseAvailable, config.medicalAvailable), name: making.name, category, usableWeight: grams, unitWeight: grams }}
        categories={config.categories}
        medicalAvailable={config.medicalAvailable}
        adultUseAvailable={config.adultUseAvailable}
        lead={`From ${provider} package ${making.label} (${making.stateCategory}, ${making.quantity} left at ${provider}). Save it, then receive the package onto it.`}
        saveLabel="Save, then receive"
        onSaved={(product) => {
          setMaking(null);
          setProducts((list) => [...list, product].sort((a, b) => a.name.localeCompare(b.name)));
          setDone(`${product.name} is in the catalogue: receive package ${making.label} onto it below.`);
        }}
        onCancel={() => setMaking(null)}
      />
    );
  }

  // A package already received, or already the package a product sells from, is done.
  const shown = (packages ?? []).filter((pkg) => showReceived || (pkg.receivedAt === null && pkg.productId === null));
  return (
    <section className="panel" aria-labelledby="ct-receive-title">
      <div className="ct-head">
        <h2 id="ct-receive-title">Receive stock from {provider}</h2>
        <button type="button" className="secondary" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Packages {provider} lists for this store. Receive each onto its product with the quantity that arrived; a product sells from one package at a time.
      </p>
      <label className="ct-check">
        <input type="checkbox" checked={showReceived} onChange={(e) => setShowReceived(e.target.checked)} /> Show packages already received
      </label>
      <Outcome error={error} done={done} />
      {packages && shown.length === 0 ? <p className="muted">Every package {provider} lists has been received.</p> : null}
      {shown.length > 0 ? (
        <table className="table ct-table" aria-label="Packages">
          <thead>
            <tr>
              <th>Package</th>
              <th>{provider} says</th>
              <th className="ct-num">Left at {provider}</th>
              <th>Receive onto · quantity</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((pkg) => (
              <PackageRow
                key={pkg.label}
                pkg={pkg}
                products={products}
                onMake={() => {
                  setDone(null);
                  setMaking(pkg);
                }}
                onReceived={(product, quantity) => {
                  setDone(`Received ${quantity} of package ${pkg.label} onto ${product.name}: ${product.onHand} on hand.`);
                  void load();
                }}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function PackageRow(props: { pkg: TracePackageView; products: ProductView[]; onMake(): void; onReceived(product: ProductView, quantity: number): void }) {
  const { pkg } = props;
  const [productId, setProductId] = useState(pkg.productId ?? '');
  const [quantity, setQuantity] = useState(String(Math.floor(pkg.quantity)));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const receive = async () => {
    const count = /^\d{1,7}$/.test(quantity.trim()) ? Number(quantity.trim()) : null;
    if (!productId) return setError('Choose the product it is, or make a new one from the package.');
    if (!count) return setError('Enter how many arrived, e.g. 12.');
    setBusy(true);
    const result = await call('catalogue.receive', { commandId: newCommandId(), label: pkg.label, productId, quantity: count });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setError(null);
    props.onReceived(result.value, count);
  };

  if (pkg.receivedAt !== null || pkg.productId !== null) {
    return (
      <tr>
        <td className="ct-mono">{pkg.label}</td>
        <td>{pkg.name}</td>
        <td className="ct-num">{pkg.quantity}</td>
        <td>{pkg.receivedAt !== null ? `Received ${pkg.receivedQuantity} onto ${pkg.productName}` : `Sold as ${pkg.productName}`}</td>
      </tr>
    );
  }
  return (
    <tr>
      <td className="ct-mono">{pkg.label}</td>
      <td>
        {pkg.name}
        <br />
        <span className="muted">{pkg.stateCategory}</span>
      </td>
      <td className="ct-num">{pkg.quantity}</td>
      <td>
        <div className="ct-receive">
          <select aria-label={`Product for package ${pkg.label}`} value={productId} onChange={(e) => setProductId(e.target.value)}>
            <option value="">Choose a product…</option>
            {props.products.map((product) => (
              <option key={product.id} value={product.id}>
                {product.name}
              </option>
            ))}
          </select>
          <input
            aria-label={`Quantity of package ${pkg.label}`}
            className="ct-qty"
            inputMode="numeric"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
          />
          <button type="button" className="primary" disabled={busy} onClick={() => void receive()}>
            Receive
          </button>
        </div>
        <button type="button" className="link" onClick={props.onMake}>
          New product from this package
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
