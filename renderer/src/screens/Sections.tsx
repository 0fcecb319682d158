import { Placeholder } from '../components/Placeholder';
import { backlogLabel, traceLabel } from '../components/StatusBar';
import { useStatus } from '../stores/app';

export function CustomersScreen() {
  return <Placeholder title="Customers" comingWith="intake, profiles and search arrive with the Customers issue." />;
}

export function QueueScreen() {
  return <Placeholder title="Queue" comingWith="check-in and the customer queue arrive with the Check-in and queue issue." />;
}

export function RegisterScreen() {
  return <Placeholder title="Register" comingWith="tickets, product scans and payment arrive with the Checkout issue." />;
}

export function SyncScreen() {
  const status = useStatus((state) => state.status);
  const trace = status?.state === 'ready' ? status.trace : null;
  return (
    <Placeholder
      title="Sync"
      comingWith="the track-and-trace outbox, its sales and the ones that need a person arrive with the BioTrack issue."
    >
      {trace ? (
        <dl className="facts">
          <dt>Track-and-trace</dt>
          <dd>{trace.state === 'not_configured' ? 'not configured' : trace.provider}</dd>
          <dt>Connection</dt>
          <dd>{traceLabel(trace).text}</dd>
          <dt>Waiting to report</dt>
          <dd>{backlogLabel(trace.backlog)}</dd>
        </dl>
      ) : null}
    </Placeholder>
  );
}
