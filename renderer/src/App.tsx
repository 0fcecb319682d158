import { ConnectionBanner } from './components/ConnectionBanner';
import { HubBanner } from './components/HubBanner';
import { ScanListener } from './components/devices/ScanListener';
import { useDialogFocus } from './components/dialogFocus';
import { DamagedScreen } from './screens/DamagedScreen';
import { LoadingScreen } from './screens/LoadingScreen';
import { LockScreen } from './screens/LockScreen';
import { LoginScreen } from './screens/LoginScreen';
import { NoTokenScreen } from './screens/NoTokenScreen';
import { SetupScreen } from './screens/setup/SetupScreen';
import { Shell } from './screens/Shell';
import { useConnection, useSession, useStatus } from './stores/app';
import { useSetupFlow } from './stores/setup';
import './styles/setup.css';

function Screen() {
  const connection = useConnection((state) => state.info.state);
  const status = useStatus((state) => state.status);
  const session = useSession((state) => state.session);
  const setupStep = useSetupFlow((state) => state.step);

  if (connection === 'no_token') return <NoTokenScreen />;
  if (!status) return <LoadingScreen />;
  // A new register, or the store just set up while its admin connects track-and-trace.
  if (status.state === 'setup' || (setupStep === 'trace' && status.state === 'ready' && session?.state === 'active')) return <SetupScreen />;
  // A damaged store answers nothing but its status and restores: no session to wait for.
  if (status.state === 'damaged') {
    return <DamagedScreen message={status.message} databaseFile={status.databaseFile} backups={status.backups} />;
  }
  if (!session) return <LoadingScreen />;
  switch (session.state) {
    case 'logged_out':
      return <LoginScreen />;
    case 'locked':
      // Keyed by employee so the PIN field starts empty and focused for each lock.
      return <LockScreen key={session.employee.id} employee={session.employee} reason={session.reason} />;
    case 'active':
      return <Shell employee={session.employee} />;
  }
}

/** The demo store says so on every screen: its PINs are public and its data made up. */
function DemoBanner() {
  const demo = useStatus((state) => state.status?.state === 'ready' && state.status.demo);
  if (!demo) return null;
  return (
    <div className="banner demo-banner" role="note" data-testid="demo-banner">
      <strong>Demo store</strong> · made-up products, customers and employees for practice; do not use it for real sales.
    </div>
  );
}

export function App() {
  useDialogFocus();
  return (
    <>
      <ConnectionBanner />
      <DemoBanner />
      <HubBanner />
      <Screen />
      <ScanListener />
    </>
  );
}
