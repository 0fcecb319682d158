import type { DeviceStatus, Employee, TraceStatus } from '../../../preload/api';
import { useStatus } from '../stores/app';
import { PrinterStatus } from './till/PrinterStatus';

const deviceStateLabel: Record<DeviceStatus['state'], string> = {
  searching: 'searching',
  connecting: 'connecting',
  connected: 'connected',
  error: 'error',
  disabled: 'disabled',
};

const deviceTone: Record<DeviceStatus['state'], Tone> = {
  searching: 'warn',
  connecting: 'warn',
  connected: 'ok',
  error: 'bad',
  disabled: 'off',
};

type Tone = 'ok' | 'warn' | 'bad' | 'off';

export function traceLabel(trace: TraceStatus): { text: string; tone: Tone } {
  switch (trace.state) {
    case 'online':
      return { text: 'online', tone: 'ok' };
    case 'offline':
      return { text: 'offline', tone: 'bad' };
    case 'unknown':
      return { text: 'checking…', tone: 'warn' };
    case 'not_configured':
      return { text: 'not configured', tone: 'off' };
  }
}

export function backlogLabel(backlog: number): string {
  if (backlog === 0) return 'nothing waiting';
  return `${backlog} ${backlog === 1 ? 'sale' : 'sales'} waiting to report`;
}

function Dot({ tone }: { tone: Tone }) {
  return <span className={`dot dot-${tone}`} aria-hidden="true" />;
}

function Devices({ devices }: { devices: DeviceStatus[] }) {
  if (devices.length === 0) {
    return (
      <span className="status-item" data-testid="status-devices">
        <Dot tone="off" />
        <span className="status-key">Devices:</span> No devices configured
      </span>
    );
  }
  return (
    <span className="status-item" data-testid="status-devices">
      <span className="status-key">Devices:</span>
      {devices.map((device) => (
        <span key={device.id} className="device" title={device.reason}>
          <Dot tone={deviceTone[device.state]} />
          {device.name} {deviceStateLabel[device.state]}
          {device.state === 'error' && device.reason ? ` (${device.reason})` : ''}
        </span>
      ))}
    </span>
  );
}

function Trace({ trace }: { trace: TraceStatus }) {
  const label = traceLabel(trace);
  return (
    <span className="status-item" data-testid="status-trace">
      <Dot tone={label.tone} />
      <span className="status-key">Track-and-trace{trace.state === 'not_configured' ? '' : ` (${trace.provider})`}:</span>{' '}
      {label.text}
      {trace.state === 'not_configured' ? null : <> · {backlogLabel(trace.backlog)}</>}
    </span>
  );
}

export function StatusBar({ employee }: { employee: Employee }) {
  const status = useStatus((state) => state.status);
  return (
    <footer className="statusbar" aria-label="Status">
      <span className="status-item" data-testid="status-employee">
        <span className="status-key">Logged in:</span> <strong>{employee.name}</strong>
        <span className="role-badge">{employee.role}</span>
      </span>
      {status?.state === 'ready' ? (
        <>
          <Devices devices={status.devices} />
          <Trace trace={status.trace} />
          <PrinterStatus />
        </>
      ) : null}
      {/* The last scan is shown here (by ScanListener, through a portal): in the bar, it never covers a control. */}
      <span id="last-scan-slot" className="last-scan-slot" />
    </footer>
  );
}
