/** The Register with no ticket open: find a customer by name, or open a recent sale's receipt. */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { showDate } from '../customers/dateEntry';
import { money } from './format';

type ReceiptView = CallResponse<'checkout.sale.get'>;
type CustomerHit = CallResponse<'customers.search'>['results'][number];

export function CustomerPicker({ busy, onOpen, onReceipt }: { busy: boolean; onOpen(id: string): void; onReceipt(receipt: ReceiptView): void }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CustomerHit[]>([]);
  const [recent, setRecent] = useState<CallResponse<'checkout.sale.recent'>>([]);
  useEffect(() => {
    void call('checkout.sale.recent', { limit: 8 }).then((result) => result.ok && setRecent(result.value));
  }, []);
  useEffect(() => {
    if (query.trim().length < 2) return setResults([]);
    const timer = setTimeout(() => {
      void call('customers.search', { field: 'name', query, limit: 8 }).then((result) => result.ok && setResults(result.value.results));
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);
  return (
    <section className="panel register-picker">
      <h1>Register</h1>
      <p className="lead">Choose a customer in the Queue, scan their ID, or search by name.</p>
      <label className="field">
        <span>Customer name</span>
        <input autoFocus value={query} onChange={(event) => setQuery(event.target.value)} placeholder="e.g. Rosa Delgado" aria-label="Search customers" />
      </label>
      <ul className="register-hits">
        {results.map((hit) => (
          <li key={hit.id}>
            <button type="button" className="tile wide" disabled={busy || hit.banned} onClick={() => onOpen(hit.id)}>
              <span className="tile-name">{hit.displayName}</span>
              <span className="tile-role">
                {hit.customerType.replace(/_/g, ' ')} · born {showDate(hit.dateOfBirth)}
                {hit.banned ? ' · BANNED' : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {recent.length > 0 ? (
        <>
          <h2>Recent sales</h2>
          <ul className="register-recent">
            {recent.map((sale) => (
              <li key={sale.saleId}>
                <button
                  type="button"
                  className="link"
                  onClick={() => void call('checkout.sale.get', { saleId: sale.saleId }).then((result) => result.ok && onReceipt(result.value))}
                >
                  #{sale.receiptNumber} · {sale.customerName} · {money(sale.totalCents)} {sale.status === 'voided' ? '(voided)' : ''}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
