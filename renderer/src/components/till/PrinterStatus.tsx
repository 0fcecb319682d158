/** The status bar's receipt printer: ready, or what is wrong and how many receipts wait; the cash drawer open or closed where the printer reports it. */
import { useEffect } from 'react';
import { usePrinter, watchPrinter } from './printerStore';

const words: Record<string, { text: string; tone: 'ok' | 'warn' | 'bad' | 'off' }> = {
  ready: { text: 'ready', tone: 'ok' },
  unknown: { text: 'ready', tone: 'ok' },
  offline: { text: 'offline', tone: 'bad' },
  cover_open: { text: 'cover open', tone: 'bad' },
  paper_out: { text: 'out of paper', tone: 'bad' },
  unreachable: { text: 'cannot be reached', tone: 'bad' },
  not_configured: { text: 'none chosen', tone: 'off' },
};

export function PrinterStatus() {
  const status = usePrinter((state) => state.status);
  useEffect(() => watchPrinter(), []);
  if (!status) return null;
  const label = words[status.condition] ?? { text: status.condition, tone: 'warn' as const };
  const waiting = status.waiting > 0 ? ` · ${status.waiting} waiting` : '';
  const uncertain = status.uncertain.length > 0 ? ` · ${status.uncertain.length} to check` : '';
  return (
    <>
      <span className="status-item" data-testid="status-printer" title={status.message}>
        <span className={`dot dot-${status.uncertain.length > 0 && label.tone === 'ok' ? 'warn' : label.tone}`} aria-hidden="true" />
        <span className="status-key">Printer:</span> {status.printer ? `${status.printer.name} ` : ''}
        {label.text}
        {waiting}
        {uncertain}
        {status.message && label.tone === 'bad' ? <span className="printer-message"> — {status.message}</span> : null}
      </span>
      {status.drawer ? (
        <span className="status-item" data-testid="status-drawer">
          <span className={`dot dot-${status.drawer === 'open' ? 'warn' : 'ok'}`} aria-hidden="true" />
          <span className="status-key">Cash drawer:</span> {status.drawer}
        </span>
      ) : null}
    </>
  );
}
