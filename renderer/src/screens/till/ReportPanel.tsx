/** X and Z reports: shown as they print, then printed on the receipt printer or saved as PDF or CSV. */
import { useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { base64ToBlob, download } from '../../components/till/format';
import { newCommandId } from '../../components/queue/commandId';
import { call } from '../../register';

type View = CallResponse<'till.report.get'>;

export function ReportPanel({ canMakeZ, drawerOpen }: { canMakeZ: boolean; drawerOpen: boolean }) {
  const [view, setView] = useState<View | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const show = async (kind: 'x' | 'z') => {
    setMessage(null);
    if (kind === 'x') {
      const result = await call('till.report.get', { kind: 'x' });
      if (result.ok) setView(result.value);
      else setMessage({ text: result.error.message, error: true });
      return;
    }
    // A Z already made today is shown as it was made; otherwise it is made now.
    const made = await call('till.report.get', { kind: 'z' });
    if (made.ok) return setView(made.value);
    const result = await call('till.report.makeZ', { commandId: newCommandId() });
    if (result.ok) setView(result.value);
    else setMessage({ text: result.error.message, error: true });
  };

  const request = () => (view ? { kind: view.report.kind, businessDate: view.report.businessDate } : null);
  const print = async () => {
    const which = request();
    if (!which) return;
    const result = await call('till.report.print', which);
    setMessage(result.ok ? { text: 'Sent to the receipt printer.', error: false } : { text: result.error.message, error: true });
  };
  const pdf = async () => {
    const which = request();
    if (!which) return;
    const result = await call('till.report.pdf', which);
    if (result.ok) download(result.value.fileName, base64ToBlob(result.value.base64, 'application/pdf'));
    else setMessage({ text: result.error.message, error: true });
  };
  const csv = async () => {
    const which = request();
    if (!which) return;
    const result = await call('till.report.csv', which);
    if (result.ok) download(result.value.fileName, new Blob([result.value.text], { type: 'text/csv' }));
    else setMessage({ text: result.error.message, error: true });
  };

  return (
    <section className="panel" aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      <div className="row">
        <button type="button" onClick={() => void show('x')}>
          X report
        </button>
        <button type="button" onClick={() => void show('z')} disabled={!canMakeZ || drawerOpen} title={drawerOpen ? 'Close the drawer first.' : undefined}>
          Z report
        </button>
        {!canMakeZ ? <span className="muted">A manager makes the Z report.</span> : drawerOpen ? <span className="muted">Close the drawer before the Z report.</span> : null}
      </div>
      {message ? <p className={message.error ? 'error' : 'ok'} role="status">{message.text}</p> : null}
      {view ? (
        <div className="till-report">
          <pre data-testid="report-text" aria-label={`${view.report.kind.toUpperCase()} report`}>
            {view.lines.join('\n')}
          </pre>
          <div className="row">
            <button type="button" className="primary" onClick={() => void print()}>
              Print
            </button>
            <button type="button" onClick={() => void pdf()}>
              Save PDF
            </button>
            <button type="button" onClick={() => void csv()}>
              Save CSV
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
