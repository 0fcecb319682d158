/** Add or edit a product: the fields the state's rules need for its category are marked and checked. */
import { useState } from 'react';
import type { CategoryInfo, ProductView } from '../../../../preload/api';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';
import { dollars, grams, parseDollars, parseGrams, parseThc, thcText } from './units';

export interface ProductDraft {
  name: string;
  category: string;
  price: string;
  unitWeight: string;
  usableWeight: string;
  thc: string;
  upc: string;
  barcodes: string;
  soldMedical: boolean;
  soldAdultUse: boolean;
}

export function draftOf(product: ProductView): ProductDraft {
  return {
    name: product.name,
    category: product.category,
    price: (product.priceCents / 100).toFixed(2),
    unitWeight: grams(product.unitWeightMg),
    usableWeight: grams(product.usableWeightMg),
    thc: thcText(product.thcValue, product.thcUnit),
    upc: product.upc ?? '',
    barcodes: product.barcodes.join(' '),
    soldMedical: product.soldMedical,
    soldAdultUse: product.soldAdultUse,
  };
}

export function blankDraft(categories: CategoryInfo[], adultUse: boolean, medical: boolean): ProductDraft {
  return {
    name: '',
    category: categories[0]?.id ?? '',
    price: '',
    unitWeight: '',
    usableWeight: '',
    thc: '',
    upc: '',
    barcodes: '',
    soldMedical: medical,
    soldAdultUse: adultUse,
  };
}

export function ProductEditor(props: {
  product: ProductView | null;
  initial: ProductDraft;
  categories: CategoryInfo[];
  medicalAvailable: boolean;
  adultUseAvailable: boolean;
  /** Shown above the form (e.g. the package it is made from). */
  lead?: string;
  saveLabel?: string;
  onSaved(product: ProductView): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState<ProductDraft>(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const category = props.categories.find((c) => c.id === draft.category) ?? props.categories[0];
  const set = <K extends keyof ProductDraft>(key: K, value: ProductDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const save = async () => {
    if (!category) return;
    const priceCents = parseDollars(draft.price);
    const unitWeightMg = parseGrams(draft.unitWeight);
    const usableWeightMg = parseGrams(draft.usableWeight);
    const thcValue = parseThc(draft.thc, category.thcUnit);
    if (priceCents === null) return setError('Enter the price in dollars, e.g. 42.00.');
    if (unitWeightMg === null || usableWeightMg === null) return setError('Enter weights in grams, e.g. 3.5.');
    if (thcValue === null) return setError(category.thcUnit === 'mg' ? 'Enter THC as whole mg per unit, e.g. 100.' : 'Enter THC as a percent, e.g. 22.5.');
    setBusy(true);
    setError(null);
    const result = await call('catalogue.save', {
      commandId: newCommandId(),
      productId: props.product?.id ?? null,
      product: {
        name: draft.name,
        category: category.id,
        upc: draft.upc.trim() === '' ? null : draft.upc.trim(),
        barcodes: draft.barcodes.split(/[\s,;]+/).filter((code) => code !== ''),
        priceCents,
        unitWeightMg: unitWeightMg === 0 && !category.needsUnitWeight ? usableWeightMg : unitWeightMg,
        usableWeightMg,
        thcValue,
        thcUnit: category.thcUnit,
        soldMedical: draft.soldMedical,
        soldAdultUse: draft.soldAdultUse,
      },
    });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    props.onSaved(result.value);
  };

  const need = (flag: boolean | undefined) => (flag ? <span className="ct-need"> (required)</span> : null);
  return (
    <form
      className="panel ct-editor"
      aria-label={props.product ? `Edit ${props.product.name}` : 'New product'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h2>{props.product ? `Edit ${props.product.name}` : 'New product'}</h2>
      {props.lead ? <p className="muted">{props.lead}</p> : null}
      <div className="ct-grid">
        <label className="ct-wide">
          Name
          <input value={draft.name} onChange={(e) => set('name', e.target.value)} autoFocus={!props.product} />
        </label>
        <label>
          Category
          <select value={draft.category} onChange={(e) => set('category', e.target.value)}>
            {props.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Price ($)
          <input inputMode="decimal" value={draft.price} onChange={(e) => set('price', e.target.value)} placeholder="42.00" />
        </label>
        <label>
          Usable weight (g){need(category?.needsUsableWeight)}
          <input inputMode="decimal" value={draft.usableWeight} onChange={(e) => set('usableWeight', e.target.value)} placeholder="3.5" />
        </label>
        <label>
          Unit weight (g){need(category?.needsUnitWeight)}
          <input inputMode="decimal" value={draft.unitWeight} onChange={(e) => set('unitWeight', e.target.value)} placeholder="3.5" />
        </label>
        <label>
          THC {category?.thcUnit === 'mg' ? '(mg per unit)' : '(%)'}
          {need(category?.needsThc)}
          <input inputMode="decimal" value={draft.thc} onChange={(e) => set('thc', e.target.value)} placeholder={category?.thcUnit === 'mg' ? '100' : '22.5'} />
        </label>
        <label>
          UPC
          <input value={draft.upc} onChange={(e) => set('upc', e.target.value)} placeholder="Scan or type" />
        </label>
        <label className="ct-wide">
          Other barcodes (separated by spaces)
          <input value={draft.barcodes} onChange={(e) => set('barcodes', e.target.value)} />
        </label>
      </div>
      <fieldset className="ct-sold">
        <legend>Sold to</legend>
        {props.medicalAvailable ? (
          <label className="ct-check">
            <input type="checkbox" checked={draft.soldMedical} onChange={(e) => set('soldMedical', e.target.checked)} /> Medical
          </label>
        ) : null}
        {props.adultUseAvailable ? (
          <label className="ct-check">
            <input type="checkbox" checked={draft.soldAdultUse} onChange={(e) => set('soldAdultUse', e.target.checked)} /> Adult use
          </label>
        ) : null}
      </fieldset>
      {props.product ? (
        <p className="muted ct-taxes">
          Tax class: {props.product.taxes.join(' · ')}. Price {dollars(props.product.priceCents)} before tax.
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : (props.saveLabel ?? 'Save product')}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
