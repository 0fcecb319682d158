import { useEffect, useState } from 'react';
import type { HubStatus } from '../../../preload/api';
import { getClient } from '../client';
import { call } from '../register';
import { useSession, useStatus } from '../stores/app';

/** "10:42" in the store's time zone. */
function clockTime(at: number, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(at));
}

/** Shown on every screen while this station cannot reach the store hub: sales go on, and reach the hub later. */
export function HubBanner() {
  const active = useSession((state) => state.session?.state === 'active');
  const timeZone = useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
  const [status, setStatus] = useState<HubStatus | null>(null);
  useEffect(() => {
    if (!active) return;
    let live = true;
    void call('hub.status', {}).then((result) => {
      if (live && result.ok) setStatus(result.value);
    });
    const stop = getClient().on('hub.changed', (next) => setStatus(next));
    return () => {
      live = false;
      stop();
    };
  }, [active]);
  if (!active || !status?.paired || status.offlineSince === null) return null;
  return (
    <div className="banner hub-banner" role="status" aria-live="polite" data-testid="hub-banner">
      <strong>Store hub offline since {clockTime(status.offlineSince, timeZone)}</strong> · keep selling: this register keeps its sales
      {status.pending > 0 ? ` (${status.pending} change${status.pending === 1 ? '' : 's'} waiting)` : ''} and sends them when the hub is back.
    </div>
  );
}
