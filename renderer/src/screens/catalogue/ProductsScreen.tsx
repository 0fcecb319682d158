/**
 * Products: the catalogue (add, edit, archive, stock with adjustments and counts), receiving the
 * store's packages from the state system, and the catalogue as CSV.
 */
import { useEffect, useState } from 'react';
import type { Employee } from '../../../../preload/api';
import { call } from '../../register';
import { CatalogueCsvTab } from './CatalogueCsvTab';
import { CatalogueTab, type CatalogueConfig } from './CatalogueTab';
import { ReceivingTab } from './ReceivingTab';
import '../../styles/catalogue.css';

type Tab = 'catalogue' | 'receive' | 'csv';

export function ProductsScreen({ employee }: { employee: Employee }) {
  const [config, setConfig] = useState<CatalogueConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('catalogue');
  const canManage = employee.permissions.includes('manage_products');

  useEffect(() => {
    void call('catalogue.config', {}).then((result) => {
      if (result.ok) setConfig(result.value);
      else setError(result.error.message);
    });
  }, []);

  if (error) return <p className="error">{error}</p>;
  if (!config) return <p className="page">Loading products…</p>;
  const tabs: Array<[Tab, string]> = canManage
    ? [
        ['catalogue', 'Catalogue'],
        ['receive', 'Receive stock'],
        ['csv', 'Import & export'],
      ]
    : [['catalogue', 'Catalogue']];
  return (
    <section className="page ct-page" aria-labelledby="page-title">
      <div className="ct-head">
        <h1 id="page-title">Products</h1>
        <div className="ct-tabs" role="tablist" aria-label="Products">
          {tabs.map(([id, label]) => (
            <button key={id} type="button" role="tab" aria-selected={tab === id} className="ct-tab" onClick={() => setTab(id)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      {tab === 'catalogue' ? <CatalogueTab config={config} canManage={canManage} /> : null}
      {tab === 'receive' ? <ReceivingTab config={config} /> : null}
      {tab === 'csv' ? <CatalogueCsvTab /> : null}
    </section>
  );
}
