/**
 * Settings › Devices: receipt printers beside the scanners. Add one (network, USB, serial or a
 * Windows printer), find what is plugged in, print a test page, check it, and choose the one this
 * register prints receipts on (its cash drawer is kicked through it too).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallRequest, CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { usePrinter } from './printerStore';
import '../../styles/till.css';

type Config = CallResponse<'till.config.get'>['config'];
type PrinterInput = CallRequest<'till.printers.save'>['printer'];
type Transport = PrinterInput['transport'];
type Found = CallResponse<'till.printers.find'>;

const KINDS: Array<{ value: Transport['kind']; label: string }> = [
  { value: 'tcp', label: 'Network (port 9100)' },
  { value: 'usb_linux', label: 'USB (Linux /dev/usb/lp)' },
  { value: 'serial', label: 'Serial / USB COM port' },
  { value: 'windows_spooler', label: 'Windows printer (USB)' },
];

function describe(transport: Transport): string {
  switch (transport.kind) {
    case 'tcp':
      return `Network ${transport.host}:${transport.port}`;
    case 'usb_linux':
      return `USB ${transport.path}`;
    case 'serial':
      return `Serial ${transport.path} at ${transport.baudRate}`;
    case 'windows_spooler':
      return `Windows printer "${transport.queue}"`;
  }
}

interface Draft {
  name: string;
  kind: Transport['kind'];
  host: string;
  port: string;
  path: string;
  baudRate: string;
  queue: string;
  language: PrinterInput['language'];
  columns: string;
  pulseMs: string;
  openSignal: OpenSignal;
}
type OpenSignal = Config['printers'][number]['drawer']['openSignal'];
const emptyDraft: Draft = { name: '', kind: 'tcp', host: '', port: '9100', path: '', baudRate: '9600', queue: '', language: 'esc-pos', columns: '42', pulseMs: '100', openSignal: 'not_wired' };

/** Short words for the table (the status bar and the message above say what to do). */
const CONDITION_WORDS: Record<string, string> = {
  ready: 'ready',
  unknown: 'not checked yet',
  offline: 'offline',
  cover_open: 'cover open',
  paper_out: 'out of paper',
  unreachable: 'cannot be reached',
  not_configured: '—',
};

const SIGNALS: Array<{ value: OpenSignal; label: string }> = [
  { value: 'not_wired', label: 'Not shown' },
  { value: 'high', label: 'Open when the signal is high' },
  { value: 'low', label: 'Open when the signal is low' },
];

function transportOf(draft: Draft): Transport {
  switch (draft.kind) {
    case 'tcp':
      return { kind: 'tcp', host: draft.host.trim(), port: Number(draft.port) || 9100 };
    case 'usb_linux':
      return { kind: 'usb_linux', path: draft.path.trim() };
    case 'serial':
      return { kind: 'serial', path: draft.path.trim(), baudRate: Number(draft.baudRate) || 9600 };
    case 'windows_spooler':
      return { kind: 'windows_spooler', queue: draft.queue.trim() };
  }
}

function idFor(name: string, taken: string[]): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30) || 'printer';
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

export function ReceiptPrinters() {
  const [config, setConfig] = useState<Config | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [found, setFound] = useState<Found | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const status = usePrinter((state) => state.status);

  const load = useCallback(async () => {
    const result = await call('till.config.get', {});
    if (result.ok) setConfig(result.value.config);
    else setMessage({ text: result.error.message, error: true });
  }, []);
  useEffect(() => void load(), [load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!config) return;
    if (!draft.name.trim()) return setMessage({ text: 'Give the printer a name.', error: true });
    const pulse = Number(draft.pulseMs);
    const result = await call('till.printers.save', {
      printer: {
        id: idFor(draft.name, config.printers.map((p) => p.id)),
        name: draft.name.trim(),
        transport: transportOf(draft),
        language: draft.language,
        model: null,
        columns: Number(draft.columns) || 42,
        codepage: 'auto',
        drawer: { pin: 2, onMs: pulse, offMs: 500, openSignal: draft.openSignal },
      },
    });
    if (!result.ok) return setMessage({ text: result.error.message, error: true });
    setConfig(result.value);
    setDraft(emptyDraft);
    setMessage({ text: `${draft.name.trim()} added.`, error: false });
  };

  const act = async (printerId: string, what: 'test' | 'check' | 'choose' | 'remove') => {
    if (what === 'test') {
      const result = await call('till.printers.test', { printerId });
      setMessage(result.ok ? { text: 'Test page sent to the printer.', error: false } : { text: result.error.message, error: true });
    } else if (what === 'check') {
      const result = await call('till.printers.check', { printerId });
      const signal = result.ok && result.value.drawerSignal !== null ? ` Drawer signal: ${result.value.drawerSignal ? 'high' : 'low'}.` : '';
      if (result.ok) setMessage({ text: (result.value.message || 'The printer answers: ready.') + signal, error: Boolean(result.value.message) });
      else setMessage({ text: result.error.message, error: true });
    } else {
      const result = what === 'choose' ? await call('till.printers.choose', { printerId }) : await call('till.printers.remove', { printerId });
      if (result.ok) setConfig(result.value);
      else setMessage({ text: result.error.message, error: true });
    }
  };

  const setSignal = async (printer: Config['printers'][number], openSignal: OpenSignal) => {
    const result = await call('till.printers.save', { printer: { ...printer, drawer: { ...printer.drawer, openSignal } } });
    if (result.ok) setConfig(result.value);
    else setMessage({ text: result.error.message, error: true });
  };

  const find = async () => {
    const result = await call('till.printers.find', {});
    if (result.ok) setFound(result.value);
    else setMessage({ text: result.error.message, error: true });
  };

  const pick = (transport: Transport) => {
    setDraft({
      ...draft,
      kind: transport.kind,
      path: transport.kind === 'usb_linux' || transport.kind === 'serial' ? transport.path : draft.path,
      baudRate: transport.kind === 'serial' ? String(transport.baudRate) : draft.baudRate,
    });
  };

  const field = (key: keyof Draft) => ({ value: draft[key], onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }) });

  return (
    <section className="panel" aria-labelledby="printers-title">
      <h2 id="printers-title">Receipt printers</h2>
      {message ? <p className={message.error ? 'error' : 'ok'} role="status">{message.text}</p> : null}
      {config && config.printers.length > 0 ? (
        <table className="table" data-testid="printers-table">
          <thead>
            <tr>
              <th scope="col">Printer</th>
              <th scope="col">Connection</th>
              <th scope="col">This register's receipts</th>
              <th scope="col">Status</th>
              <th scope="col">Cash drawer switch</th>
              <th scope="col">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {config.printers.map((printer) => {
              const chosen = config.receiptPrinterId === printer.id;
              return (
                <tr key={printer.id}>
                  <td>{printer.name}</td>
                  <td>{describe(printer.transport)}</td>
                  <td>
                    <label className="till-choice">
                      <input type="radio" name="receipt-printer" checked={chosen} onChange={() => void act(printer.id, 'choose')} aria-label={`Print receipts on ${printer.name}`} />
                      {chosen ? 'Receipt printer' : 'Use for receipts'}
                    </label>
                  </td>
                  <td>
                    {chosen && status ? (CONDITION_WORDS[status.condition] ?? status.condition) : '—'}
                    {chosen && status?.drawer ? `; drawer ${status.drawer}` : ''}
                  </td>
                  <td>
                    <select value={printer.drawer.openSignal} onChange={(event) => void setSignal(printer, event.target.value as OpenSignal)} aria-label={`Cash drawer switch on ${printer.name}`}>
                      {SIGNALS.map((signal) => (
                        <option key={signal.value} value={signal.value}>
                          {signal.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="till-actions">
                    <button type="button" onClick={() => void act(printer.id, 'test')}>
                      Test print
                    </button>
                    <button type="button" className="secondary" onClick={() => void act(printer.id, 'check')}>
                      Check
                    </button>
                    <button type="button" className="secondary" onClick={() => void act(printer.id, 'remove')}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted">No receipt printer yet: receipts wait until one is added and chosen.</p>
      )}
      <form className="devices-form" aria-label="Add a receipt printer" onSubmit={(event) => void add(event)} noValidate>
        <h3>Add a receipt printer</h3>
        <label>
          Printer name
          <input {...field('name')} placeholder="Front counter" />
        </label>
        <label>
          Printer connection
          <select value={draft.kind} onChange={(event) => setDraft({ ...draft, kind: event.target.value as Transport['kind'] })}>
            {KINDS.map((kind) => (
              <option key={kind.value} value={kind.value}>
                {kind.label}
              </option>
            ))}
          </select>
        </label>
        {draft.kind === 'tcp' ? (
          <>
            <label>
              Address
              <input {...field('host')} placeholder="192.168.1.50" />
            </label>
            <label>
              Port
              <input {...field('port')} inputMode="numeric" />
            </label>
          </>
        ) : null}
        {draft.kind === 'usb_linux' || draft.kind === 'serial' ? (
          <label>
            Device
            <input {...field('path')} placeholder={draft.kind === 'serial' ? '/dev/ttyUSB0 or COM3' : '/dev/usb/lp0'} />
          </label>
        ) : null}
        {draft.kind === 'serial' ? (
          <label>
            Baud rate
            <input {...field('baudRate')} inputMode="numeric" />
          </label>
        ) : null}
        {draft.kind === 'windows_spooler' ? (
          <label>
            Windows printer name
            <input {...field('queue')} placeholder="EPSON TM-T88VI Receipt" />
            <span className="hint">Printed raw through Windows; paper and cover problems are not reported this way.</span>
          </label>
        ) : null}
        <label>
          Printer language
          <select value={draft.language} onChange={(event) => setDraft({ ...draft, language: event.target.value as Draft['language'] })}>
            <option value="esc-pos">ESC/POS (Epson and most others)</option>
            <option value="star-prnt">Star (StarPRNT)</option>
            <option value="star-line">Star (Line mode)</option>
          </select>
        </label>
        <label>
          Characters per line
          <input {...field('columns')} inputMode="numeric" />
        </label>
        <label>
          Drawer pulse (ms, up to 500)
          <input {...field('pulseMs')} inputMode="numeric" />
        </label>
        <label>
          Cash drawer switch
          <select value={draft.openSignal} onChange={(event) => setDraft({ ...draft, openSignal: event.target.value as OpenSignal })}>
            {SIGNALS.map((signal) => (
              <option key={signal.value} value={signal.value}>
                {signal.label}
              </option>
            ))}
          </select>
          <span className="hint">To set it: open the drawer and press Check; the signal it shows means open.</span>
        </label>
        <div className="row">
          <button type="submit" className="primary">
            Add printer
          </button>
          <button type="button" className="secondary" onClick={() => void find()}>
            Find printers
          </button>
        </div>
      </form>
      {found ? (
        found.length === 0 ? (
          <p className="muted">No USB or serial printer found. A network printer is added by its address.</p>
        ) : (
          <ul className="till-found">
            {found.map((entry) => (
              <li key={entry.label}>
                {entry.label}{' '}
                <button type="button" className="secondary" onClick={() => pick(entry.transport)}>
                  Use this
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
