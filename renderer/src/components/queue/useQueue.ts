/**
 * The live queue: loaded once, then replaced by every `queue.changed` event the core broadcasts
 * (an older version than the one shown is ignored). Drafts come from the Customers capability.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CustomerDraftSummary, QueueView } from './types';
import { getClient } from '../../client';
import { call } from '../../register';

export interface LiveQueue {
  view: QueueView | null;
  drafts: CustomerDraftSummary[];
  error: string | null;
  /** Show a view the core answered with (after a change made here). */
  accept(view: QueueView): void;
  reload(): Promise<void>;
}

export function useQueue(): LiveQueue {
  const [view, setView] = useState<QueueView | null>(null);
  const [drafts, setDrafts] = useState<CustomerDraftSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  const accept = useCallback((next: QueueView) => {
    setView((current) => (current && current.version > next.version ? current : next));
  }, []);

  const loadDrafts = useCallback(async () => {
    const result = await call('customers.drafts', {});
    if (result.ok) setDrafts(result.value);
  }, []);

  const reload = useCallback(async () => {
    const result = await call('queue.list', {});
    if (result.ok) {
      setError(null);
      accept(result.value);
    } else setError(result.error.message);
    await loadDrafts();
  }, [accept, loadDrafts]);

  useEffect(() => {
    const client = getClient();
    const stops = [
      client.on('queue.changed', (next) => accept(next)),
      client.on('customers.changed', (change) => {
        if (change.draftsChanged) void loadDrafts();
      }),
      client.onConnection((info) => {
        if (info.state === 'open') void reload();
      }),
    ];
    void reload();
    return () => {
      for (const stop of stops) stop();
    };
  }, [accept, loadDrafts, reload]);

  return { view, drafts, error, accept, reload };
}

/** A clock that ticks every few seconds, for live wait times. */
export function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
