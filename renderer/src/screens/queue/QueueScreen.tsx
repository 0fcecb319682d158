/**
 * The Queue section: the live queue and a quick "Check in a customer" search by name, so check-in
 * works from here as well as from a profile on the Customers screen.
 */
import { useEffect, useRef, useState } from 'react';
import { call } from '../../register';
import { showDate } from '../../components/customers/dateEntry';
import { CheckInDialog } from '../../components/queue/CheckInDialog';
import { QueuePanel } from '../../components/queue/QueuePanel';
import { TYPE_LABELS, type QueueCustomerHit } from '../../components/queue/types';
import { useNav } from '../../stores/app';
import '../../styles/queue.css';

export function QueueScreen() {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<QueueCustomerHit[]>([]);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [checkingIn, setCheckingIn] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const go = useNav((state) => state.go);

  useEffect(() => {
    const text = query.trim();
    if (!text) {
      setHits([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void call('queue.findCustomers', { query: text, limit: 8 }).then((result) => {
        if (!live) return;
        if (result.ok) {
          setHits(result.value);
          setSearchError(null);
        } else setSearchError(result.error.message);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  return (
    <section className="page queue-page" aria-labelledby="page-title">
      <h1 id="page-title">Queue</h1>
      <div className="queue-layout">
        <div className="queue-checkin panel">
          <h2>Check in a customer</h2>
          <label htmlFor="queue-search">Search by name</label>
          <input
            id="queue-search"
            ref={searchRef}
            className="queue-search"
            value={query}
            placeholder="First or last name"
            autoComplete="off"
            onChange={(event) => setQuery(event.target.value)}
          />
          {searchError ? <p className="error" role="alert">{searchError}</p> : null}
          {query.trim() && hits.length === 0 && !searchError ? <p className="muted">No saved customer matches. New customers are added on the Customers screen.</p> : null}
          <ul className="queue-hits" aria-label="Matching customers">
            {hits.map((hit) => (
              <li key={hit.id}>
                <button type="button" className="queue-hit" onClick={() => setCheckingIn(hit.id)} disabled={hit.inQueue}>
                  <span className="queue-name">{hit.displayName}</span>
                  <span className="queue-meta">
                    {TYPE_LABELS[hit.customerType]} · born {showDate(hit.dateOfBirth)}
                    {hit.inQueue ? ' · already in the queue' : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {notice ? (
            <p className="ok" role="status">
              {notice}
            </p>
          ) : null}
        </div>
        <QueuePanel onOpenDraft={() => go('customers')} />
      </div>
      {checkingIn ? (
        <CheckInDialog
          customerId={checkingIn}
          onClose={() => {
            setCheckingIn(null);
            searchRef.current?.focus();
          }}
          onCheckedIn={(entry) => {
            setNotice(`${entry.displayName} is checked in.`);
            setQuery('');
          }}
        />
      ) : null}
    </section>
  );
}
