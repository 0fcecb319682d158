/** The receipt printer at the till: its status, receipts that may not have printed, and reprints of recent sales. */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { money } from '../../components/till/format';
import { refreshPrinter, usePrinter } from '../../components/till/printerStore';
import { call } from '../../register';

type Recent = CallResponse<'checkout.sale.recent'>;

export function PrinterPanel() {
  const status = usePrinter((state) => state.status);
  const [recent, setRecent] = useState<Recent>([]);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    void refreshPrinter();
    void call('checkout.sale.recent', { limit: 5 }).then((result) => result.ok && setRecent(result.value));
  }, []);

  const resolve = async (jobId: number, choice: 'reprint' | 'dismiss') => {
    const result = await call('till.jobs.resolve', { jobId, choice });
    if (!result.ok) setMessage(result.error.message);
  };
  const reprint = async (saleId: string, receiptNumber: number) => {
    const result = await call('till.receipt.reprint', { saleId });
    setMessage(result.ok ? `Receipt ${receiptNumber} sent to the printer again, marked as a reprint.` : result.error.message);
  };

  return (
    <section className="panel" aria-labelledby="printer-title">
      <h2 id="printer-title">Receipt printer</h2>
      {status ? (
        <p data-testid="till-printer">
          {status.printer ? <strong>{status.printer.name}</strong> : null} {status.message || (status.printer ? 'ready' : '')}
          {status.waiting > 0 ? ` ${status.waiting} waiting to print.` : ''}
        </p>
      ) : null}
      {status && status.uncertain.length > 0 ? (
        <div className="till-uncertain">
          <p>These may not have printed when the register stopped: look at the printer, then print again or let them go.</p>
          <ul>
            {status.uncertain.map((job) => (
              <li key={job.jobId}>
                {job.receiptNumber ? `Receipt ${job.receiptNumber}` : job.kind === 'kick' ? 'Drawer opening' : 'A report'}{' '}
                <button type="button" onClick={() => void resolve(job.jobId, 'reprint')}>
                  Print again
                </button>{' '}
                <button type="button" className="secondary" onClick={() => void resolve(job.jobId, 'dismiss')}>
                  It printed
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {recent.length > 0 ? (
        <>
          <h3>Recent receipts</h3>
          <ul className="till-recent">
            {recent.map((sale) => (
              <li key={sale.saleId}>
                Receipt {sale.receiptNumber} · {sale.customerName} · {money(sale.totalCents)}{' '}
                <button type="button" className="secondary" aria-label={`Reprint receipt ${sale.receiptNumber}`} onClick={() => void reprint(sale.saleId, sale.receiptNumber)}>
                  Reprint
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
