/**
 * The ticket's rewards line: the customer's points, what this sale earns, and redeeming points
 * as a discount before tax under the store's rules (checkout.ticket.redeemPoints).
 */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { getClient } from '../../client';
import { call } from '../../register';
import { dollars } from './RewardsPanel';
import '../../styles/rewards.css';

type Ticket = CallResponse<'checkout.ticket.get'>;
type Quote = CallResponse<'rewards.quote'>;
type Rules = CallResponse<'rewards.config'>['rules'];

export function RewardsAtCheckout({ ticket, onTicket }: { ticket: Ticket; onTicket: (ticket: Ticket) => void }) {
  const [quote, setQuote] = useState<Quote | null>(null);
  const [rules, setRules] = useState<Rules | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const customerId = ticket.customer.id;
  const redeemed = ticket.rewards?.points ?? 0;
  // What the sale comes to before any points: the base of the redeem cap.
  const beforePoints = ticket.totals.netCents + (ticket.rewards?.discountCents ?? 0);

  useEffect(() => getClient().on('rewards.changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => {
    let live = true;
    void Promise.all([call('rewards.quote', { customerId, eligibleCents: beforePoints, points: null }), call('rewards.config', {})]).then(([q, c]) => {
      if (!live) return;
      if (q.ok) setQuote(q.value);
      if (c.ok) setRules(c.value.rules);
    });
    return () => {
      live = false;
    };
  }, [customerId, beforePoints, version]);

  const redeem = async (points: number) => {
    const result = await call('checkout.ticket.redeemPoints', { ticketId: ticket.ticketId, points });
    if (result.ok) {
      setError(null);
      onTicket(result.value);
    } else setError(result.error.message);
  };

  if (!quote || !rules || !rules.enabled) return null;
  const earns = Math.floor(Math.max(0, ticket.totals.netCents) / 100) * rules.earnPointsPerDollar;
  return (
    <div className="rw-checkout" data-testid="rewards-at-checkout">
      <p>
        <strong>Rewards: {quote.balance.toLocaleString()} points</strong> (worth {dollars(quote.balance * rules.redeemCentsPerPoint)}) · this sale earns {earns}
        {redeemed > 0 ? (
          <>
            {' '}
            · <strong>{redeemed} points redeemed: {dollars(ticket.rewards?.discountCents ?? 0)} off</strong>
          </>
        ) : null}
      </p>
      {ticket.rewards?.note ? <p className="warning-text">{ticket.rewards.note}</p> : null}
      <div className="rw-actions">
        {redeemed > 0 ? (
          <button type="button" className="secondary" onClick={() => void redeem(0)}>
            Don&apos;t redeem points
          </button>
        ) : quote.maxPoints > 0 ? (
          <button type="button" className="primary" onClick={() => void redeem(quote.maxPoints)}>
            Redeem {quote.maxPoints} points ({dollars(quote.discountCents)} off)
          </button>
        ) : (
          <span className="muted">{quote.note ?? 'Nothing to redeem.'}</span>
        )}
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
