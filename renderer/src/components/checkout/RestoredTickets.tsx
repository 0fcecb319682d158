/**
 * Tickets kept through a restart: a ticket brought back from disk says so (check it with the
 * customer before payment), and a saved ticket that could not be brought back (or was left open
 * since an earlier day) is shown until a person has seen it, so nothing is silently lost.
 */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { useStatus } from '../../stores/app';
import { formatDateTime } from '../../format';

type Ticket = CallResponse<'checkout.ticket.get'>;
type Unrestored = CallResponse<'checkout.ticket.unrestored'>[number];

function useTimeZone(): string | undefined {
  return useStatus((state) => (state.status?.state === 'ready' ? state.status.timeZone : undefined));
}

/** On a ticket brought back after the register restarted. */
export function RestoredNotice({ ticket }: { ticket: Ticket }) {
  const timeZone = useTimeZone();
  const [seen, setSeen] = useState<string | null>(null);
  if (ticket.restoredAt === null || seen === ticket.ticketId) return null;
  return (
    <div className="notice restored-notice" role="status" data-testid="ticket-restored">
      <p>
        <strong>Kept through a restart.</strong> The register restarted at {formatDateTime(ticket.restoredAt, timeZone)}; this ticket came back with its
        lines, discounts and approvals. Check it with the customer before taking payment.
      </p>
      <button type="button" className="secondary" onClick={() => setSeen(ticket.ticketId)}>
        OK
      </button>
    </div>
  );
}

/** Saved tickets the register could not bring back after a restart. */
export function UnrestoredTickets() {
  const timeZone = useTimeZone();
  const [entries, setEntries] = useState<Unrestored[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void call('checkout.ticket.unrestored', {}).then((result) => result.ok && setEntries(result.value));
  }, []);
  if (entries.length === 0) return null;
  const dismiss = async (ticketId: string) => {
    const result = await call('checkout.ticket.dismissUnrestored', { ticketId });
    if (!result.ok) return setProblem(result.error.message);
    setProblem(null);
    setEntries((current) => current.filter((entry) => entry.ticketId !== ticketId));
  };
  return (
    <div className="register-alert unrestored-tickets" role="alert" data-testid="ticket-unrestored">
      {entries.map((entry) => (
        <div key={entry.ticketId} className="unrestored-ticket">
          {entry.reason === 'left_open' ? (
            <p>
              A ticket {entry.customerName ? `for ${entry.customerName} ` : ''}was left open since {formatDateTime(entry.savedAt, timeZone)}, an earlier day, and
              was not brought back when the register restarted. Ring the sale up again if the customer is here.
            </p>
          ) : (
            <p>
              A ticket {entry.customerName ? `for ${entry.customerName} ` : ''}opened {formatDateTime(entry.openedAt, timeZone)} could not be brought back after
              the register restarted. Ring the sale up again with the customer.
            </p>
          )}
          <button type="button" className="secondary" onClick={() => void dismiss(entry.ticketId)}>
            Dismiss
          </button>
        </div>
      ))}
      {problem ? <p className="error">{problem}</p> : null}
    </div>
  );
}
