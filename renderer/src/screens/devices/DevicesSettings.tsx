/**
 * Settings > Devices: what is plugged in, the configured devices with their live status, adding
 * a device (transport and framing), and a test panel with the last raw bytes each device sent
 * (control characters made visible) and what they were recognised as. Needs manage_settings.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ulid } from 'ulid';
import type { CallRequest, CallResponse } from '../../../../preload/api';
import { call } from '../../register';
import { useScans } from '../../components/devices/scanStore';
import { ReceiptPrinters } from '../../components/till/ReceiptPrinters';
import '../../styles/devices.css';

type DeviceInput = CallRequest<'devices.save'>['device'];
type Listed = CallResponse<'devices.list'>;
type Found = CallResponse<'devices.discover'>;
type Transport = DeviceInput['transport'];

const TRANSPORTS: Array<{ value: Transport; label: string }> = [
  { value: 'hid-pos', label: 'USB HID POS scanner (recommended for licences)' },
  { value: 'serial', label: 'Serial / USB COM scanner' },
  { value: 'keyboard', label: 'Keyboard-emulating scanner or card reader' },
  { value: 'hid-msr', label: 'USB HID card reader (MagTek-style)' },
  { value: 'folder', label: 'Document scanner: watched folder' },
  { value: 'command', label: 'Document scanner: scan command' },
];

const hex4 = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toString(16).padStart(4, '0'));

interface Draft {
  name: string;
  transport: Transport;
  vendorIdHex: string;
  serialNumber: string;
  path: string;
  baudRate: string;
  framingMode: 'interByte' | 'suffix';
  timeoutMs: string;
  suffixHex: string;
  maxInterKeyMs: string;
  minLength: string;
  prefix: string;
  suffix: string;
  inboxDir: string;
  command: string;
}

const emptyDraft: Draft = {
  name: '',
  transport: 'hid-pos',
  vendorIdHex: '',
  serialNumber: '',
  path: '',
  baudRate: '9600',
  framingMode: 'interByte',
  timeoutMs: '50',
  suffixHex: '03',
  maxInterKeyMs: '40',
  minLength: '6',
  prefix: '',
  suffix: '',
  inboxDir: '',
  command: 'scanimage --format=png --resolution 300 -o {out}',
};

/** Builds the device from the form; returns a message when a field is missing. */
function toDevice(draft: Draft, id: string): DeviceInput | string {
  const name = draft.name.trim();
  if (!name) return 'Give the device a name (e.g. "Counter scanner").';
  const vendorId = parseInt(draft.vendorIdHex.trim(), 16);
  const usb = () => {
    if (!/^[0-9a-f]{1,4}$/i.test(draft.vendorIdHex.trim())) return null;
    return { vendorId, ...(draft.serialNumber.trim() ? { serialNumber: draft.serialNumber.trim() } : {}) };
  };
  const base = { id, name, enabled: true };
  switch (draft.transport) {
    case 'hid-pos':
    case 'hid-msr': {
      const match = usb();
      if (!match) return 'Enter the vendor id in hex (e.g. 0c2e), or pick the device from the list above.';
      return { ...base, transport: draft.transport, match };
    }
    case 'serial': {
      const match = draft.path.trim() ? { path: draft.path.trim() } : usb();
      if (!match) return 'Enter the vendor id in hex, or (virtual ports only) the port path.';
      const framing =
        draft.framingMode === 'suffix'
          ? { mode: 'suffix' as const, suffixHex: draft.suffixHex.trim() }
          : { mode: 'interByte' as const, timeoutMs: Number(draft.timeoutMs) };
      return { ...base, transport: 'serial', match, baudRate: Number(draft.baudRate), framing };
    }
    case 'keyboard':
      return {
        ...base,
        transport: 'keyboard',
        maxInterKeyMs: Number(draft.maxInterKeyMs),
        minLength: Number(draft.minLength),
        ...(draft.prefix ? { prefix: draft.prefix } : {}),
        ...(draft.suffix ? { suffix: draft.suffix === '\\r' ? '\r' : draft.suffix } : {}),
      };
    case 'folder':
      if (!draft.inboxDir.trim()) return 'Enter the folder the scanner software saves into.';
      return { ...base, transport: 'folder', inboxDir: draft.inboxDir.trim() };
    case 'command': {
      const command = draft.command.trim().split(/\s+/).filter(Boolean);
      if (command.length === 0) return 'Enter the scan command.';
      return { ...base, transport: 'command', command };
    }
  }
}

function deviceId(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24);
  return `${slug || 'device'}-${Date.now().toString(36).slice(-5)}`;
}

function matchText(device: DeviceInput): string {
  switch (device.transport) {
    case 'serial':
      return 'path' in device.match
        ? `port ${device.match.path}`
        : `vendor ${hex4(device.match.vendorId)}${device.match.serialNumber ? ` #${device.match.serialNumber}` : ''}`;
    case 'hid-pos':
    case 'hid-msr':
      return `vendor ${hex4(device.match.vendorId)}${device.match.serialNumber ? ` #${device.match.serialNumber}` : ''}`;
    case 'keyboard':
      return `keys ≤ ${device.maxInterKeyMs ?? 40} ms apart, ≥ ${device.minLength ?? 6} keys`;
    case 'folder':
      return device.inboxDir;
    case 'command':
      return device.command.join(' ');
  }
}

function framingText(device: DeviceInput): string {
  if (device.transport !== 'serial') return '';
  const framing = device.framing.mode === 'suffix' ? `ends with ${device.framing.suffixHex}` : `ends after ${device.framing.timeoutMs} ms quiet`;
  return ` · ${device.baudRate ?? 9600} baud, ${framing}`;
}

function FoundDevices({ onPick }: { onPick: (draft: Partial<Draft>) => void }) {
  const [found, setFound] = useState<Found | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const look = async () => {
    setBusy(true);
    setError(null);
    const result = await call('devices.discover', {});
    setBusy(false);
    if (result.ok) setFound(result.value);
    else setError(result.error.message);
  };
  return (
    <section className="panel" aria-labelledby="found-title">
      <h2 id="found-title">Plugged in now</h2>
      <div className="row">
        <button type="button" onClick={() => void look()} disabled={busy}>
          {busy ? 'Looking…' : 'Look for devices'}
        </button>
        <span className="muted">Looking briefly slows other USB devices; it runs only when you press it.</span>
      </div>
      {error ? <p className="error">{error}</p> : null}
      {found ? (
        <>
          {found.problems.map((problem) => (
            <p key={problem} className="error">
              {problem}
            </p>
          ))}
          <h3>Serial ports</h3>
          {found.serialPorts.length === 0 ? (
            <p className="muted">No serial ports.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Port</th>
                  <th scope="col">Vendor</th>
                  <th scope="col">Product</th>
                  <th scope="col">Serial number</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {found.serialPorts.map((port) => (
                  <tr key={port.path}>
                    <td>{port.path}</td>
                    <td>
                      {hex4(port.vendorId)} {port.manufacturer ?? ''}
                    </td>
                    <td>{hex4(port.productId)}</td>
                    <td>{port.serialNumber ?? '—'}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          onPick({
                            transport: 'serial',
                            vendorIdHex: port.vendorId === null ? '' : hex4(port.vendorId),
                            serialNumber: port.serialNumber ?? '',
                            path: port.vendorId === null ? port.path : '',
                            name: port.manufacturer ? `${port.manufacturer} scanner` : 'Serial scanner',
                          })
                        }
                      >
                        Use this
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>USB HID devices</h3>
          {found.hidDevices.length === 0 ? (
            <p className="muted">No USB HID devices.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Vendor</th>
                  <th scope="col">Product</th>
                  <th scope="col">Serial number</th>
                  <th scope="col">Kind</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {found.hidDevices.map((device, index) => (
                  <tr key={`${device.vendorId}-${device.productId}-${device.serialNumber}-${index}`}>
                    <td>{device.product ?? '—'}</td>
                    <td>
                      {hex4(device.vendorId)} {device.manufacturer ?? ''}
                    </td>
                    <td>{hex4(device.productId)}</td>
                    <td>{device.serialNumber ?? '—'}</td>
                    <td>{device.role === 'keyboard' ? 'keyboard (add as keyboard scanner)' : device.role}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          onPick({
                            transport: device.role === 'keyboard' ? 'keyboard' : device.role === 'msr' ? 'hid-msr' : 'hid-pos',
                            vendorIdHex: hex4(device.vendorId),
                            serialNumber: device.serialNumber ?? '',
                            name: device.product ?? 'Scanner',
                          })
                        }
                      >
                        Use this
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </section>
  );
}

function AddDevice({ draft, setDraft, onSaved }: { draft: Draft; setDraft: (d: Draft) => void; onSaved: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const field = (key: keyof Draft) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }),
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const device = toDevice(draft, deviceId(draft.name));
    if (typeof device === 'string') {
      setError(device);
      return;
    }
    setSaving(true);
    const result = await call('devices.save', { commandId: ulid(), device });
    setSaving(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setError(null);
    setDraft(emptyDraft);
    onSaved();
  };
  const t = draft.transport;
  return (
    <section className="panel" aria-labelledby="add-title">
      <h2 id="add-title">Add a device</h2>
      <form className="devices-form" onSubmit={(event) => void submit(event)} noValidate>
        <label>
          Name
          <input {...field('name')} placeholder="Counter scanner" />
        </label>
        <label>
          Connection
          <select value={t} onChange={(event) => setDraft({ ...draft, transport: event.target.value as Transport })}>
            {TRANSPORTS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        {t === 'hid-pos' || t === 'hid-msr' || t === 'serial' ? (
          <>
            <label>
              Vendor id (hex)
              <input {...field('vendorIdHex')} placeholder="0c2e" />
            </label>
            <label>
              Serial number <span className="hint">(tells two scanners of one model apart)</span>
              <input {...field('serialNumber')} />
            </label>
          </>
        ) : null}
        {t === 'serial' ? (
          <>
            <label>
              Port path <span className="hint">(virtual ports only)</span>
              <input {...field('path')} placeholder="/dev/ttyV0" />
            </label>
            <label>
              Baud rate
              <input {...field('baudRate')} inputMode="numeric" />
            </label>
            <label>
              A scan ends
              <select value={draft.framingMode} onChange={(event) => setDraft({ ...draft, framingMode: event.target.value as Draft['framingMode'] })}>
                <option value="interByte">after a pause</option>
                <option value="suffix">at a suffix byte</option>
              </select>
            </label>
            {draft.framingMode === 'interByte' ? (
              <label>
                Pause (ms)
                <input {...field('timeoutMs')} inputMode="numeric" />
              </label>
            ) : (
              <label>
                Suffix (hex) <span className="hint">(never 0A: licences contain LF)</span>
                <input {...field('suffixHex')} placeholder="03" />
              </label>
            )}
          </>
        ) : null}
        {t === 'keyboard' ? (
          <>
            <label>
              Keys at most this far apart (ms)
              <input {...field('maxInterKeyMs')} inputMode="numeric" />
            </label>
            <label>
              At least this many keys
              <input {...field('minLength')} inputMode="numeric" />
            </label>
            <label>
              Prefix <span className="hint">(optional)</span>
              <input {...field('prefix')} />
            </label>
            <label>
              Suffix <span className="hint">(optional; \r for Enter)</span>
              <input {...field('suffix')} />
            </label>
          </>
        ) : null}
        {t === 'folder' ? (
          <label>
            Folder the scanner saves into
            <input {...field('inboxDir')} placeholder="C:\Scans\Inbox" />
          </label>
        ) : null}
        {t === 'command' ? (
          <label>
            Command ({'{out}'} = the image file)
            <input {...field('command')} />
          </label>
        ) : null}
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Add device'}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

const toneOf: Record<string, string> = { connected: 'ok', searching: 'warn', connecting: 'warn', error: 'bad', disabled: 'off' };

function Configured({ listed, onChanged }: { listed: Listed | null; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async (id: string) => {
    const result = await call('devices.remove', { commandId: ulid(), id });
    setError(result.ok ? null : result.error.message);
    onChanged();
  };
  const scan = async (id: string) => {
    const result = await call('devices.captureDocument', { id });
    setError(result.ok ? null : result.error.message);
    onChanged();
  };
  return (
    <section className="panel" aria-labelledby="configured-title">
      <h2 id="configured-title">Devices and test panel</h2>
      {listed?.simulator ? <p className="muted">The scan simulator is on: npm run -s scan hands scans to this register.</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!listed ? <p>Loading…</p> : null}
      {listed && listed.devices.length === 0 ? <p>No devices yet: add one below.</p> : null}
      {listed && listed.devices.length > 0 ? (
        <table className="table" data-testid="devices-table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Status</th>
              <th scope="col">Last scan (raw) and what it was</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {listed.devices.map(({ config, status, lastRaw }) => (
              <tr key={config.id} data-testid={`device-${config.id}`}>
                <td>
                  <strong>{config.name}</strong>
                  <span className="device-reason">
                    {TRANSPORTS.find((x) => x.value === config.transport)?.label} · {matchText(config)}
                    {framingText(config)}
                  </span>
                </td>
                <td>
                  <span className="device-state">
                    <span className={`dot dot-${toneOf[status.state] ?? 'off'}`} aria-hidden="true" />
                    {status.state}
                  </span>
                  {status.reason ? <span className="device-reason">{status.reason}</span> : null}
                </td>
                <td>
                  {lastRaw ? (
                    <>
                      <code className="raw-bytes" data-testid="raw-bytes">
                        {lastRaw.rawVisible}
                      </code>
                      <span className="device-reason" data-testid="recognised-as">
                        {lastRaw.byteCount} bytes → {lastRaw.recognisedAs}
                      </span>
                    </>
                  ) : (
                    <span className="muted">Nothing yet: scan something to test it.</span>
                  )}
                </td>
                <td>
                  <div className="devices-actions">
                    {config.transport === 'command' ? (
                      <button type="button" onClick={() => void scan(config.id)}>
                        Scan
                      </button>
                    ) : null}
                    <button type="button" className="secondary" onClick={() => void remove(config.id)} aria-label={`Remove ${config.name}`}>
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function DevicesSettings() {
  const [listed, setListed] = useState<Listed | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const setTesting = useScans((state) => state.setTesting);

  const load = useCallback(async () => {
    const result = await call('devices.list', {});
    if (result.ok) {
      setListed(result.value);
      setError(null);
    } else setError(result.error.message);
  }, []);

  useEffect(() => {
    // While this screen is open, scans stay here to be tested; the list refreshes live.
    setTesting(true);
    void load();
    const timer = setInterval(() => void load(), 1000);
    return () => {
      clearInterval(timer);
      setTesting(false);
    };
  }, [load, setTesting]);

  return (
    <div className="devices-settings">
      <h2>Devices</h2>
      {error ? <p className="error">{error}</p> : null}
      <Configured listed={listed} onChanged={() => void load()} />
      <ReceiptPrinters />
      <AddDevice draft={draft} setDraft={setDraft} onSaved={() => void load()} />
      <FoundDevices onPick={(picked) => setDraft({ ...draft, ...picked })} />
    </div>
  );
}
