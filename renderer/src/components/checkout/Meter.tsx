/** The allotment meter: one bar per limit of the rules in force, always on screen at the Register. */
import type { CallResponse } from '../../../../preload/api';
import { formatDateTime } from '../../format';
import { amount } from './format';

type Ticket = CallResponse<'checkout.ticket.get'>;

export function Meter({ ticket }: { ticket: Ticket }) {
  if (ticket.meter.length === 0) {
    return (
      <section className="meter" aria-label="Allotment meter">
        <h2>Allotment</h2>
        <p className="muted">{ticket.needsPatient ? 'Choose the patient to see their allotment.' : 'No purchase limits apply.'}</p>
      </section>
    );
  }
  return (
    <section className="meter" aria-label="Allotment meter" data-testid="meter">
      <h2>Allotment</h2>
      <p className="meter-profile">{ticket.patient ? `${ticket.patient.name}: ${ticket.profileLabel}` : ticket.profileLabel}</p>
      {ticket.meter.map((row) => {
        const share = row.available > 0 ? Math.min(row.onTicket / row.available, 1) : row.onTicket > 0 ? 1 : 0;
        const level = row.remaining < 0 ? 'over' : share >= 0.85 ? 'near' : 'ok';
        return (
          <div key={row.limitId} className={`meter-row meter-${level}`} data-testid={`meter-${row.limitId}`}>
            <div className="meter-label">
              <strong>{row.label}</strong>
              <span>{row.windowText}</span>
            </div>
            <div className="meter-bar" role="meter" aria-valuemin={0} aria-valuemax={row.available} aria-valuenow={row.onTicket} aria-label={row.label}>
              <div className="meter-fill" style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
            <div className="meter-figures">
              <span>
                On ticket <strong>{amount(row.onTicket, row.unit)}</strong>
              </span>
              <span>
                Left <strong data-testid={`meter-left-${row.limitId}`}>{amount(Math.max(row.remaining, 0), row.unit)}</strong> of {amount(row.available, row.unit)}
              </span>
            </div>
            <div className="meter-source">
              {row.source === 'state_system' && ticket.allotment.state === 'manual'
                ? `Typed by hand while the state system is down${row.stateFetchedAt ? `, ${formatDateTime(row.stateFetchedAt)}` : ''}`
                : row.source === 'state_system'
                ? `State system figure${row.stateFetchedAt ? `, ${formatDateTime(row.stateFetchedAt)}` : ''}`
                : `Legal limit ${amount(row.ceiling, row.unit)}, counted on this register`}
              {row.overridden ? ' · manager override' : ''}
            </div>
          </div>
        );
      })}
    </section>
  );
}
