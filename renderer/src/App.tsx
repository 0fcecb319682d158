import { ConnectionBanner } from './components/ConnectionBanner';
import { ScanListener } from './components/devices/ScanListener';
import { useDialogFocus } from './components/dialogFocus';
import { DamagedScreen } from './screens/DamagedScreen';
import { LoadingScreen } from './screens/LoadingScreen';
import { LockScreen } from './screens/LockScreen';
import { LoginScreen } from './screens/LoginScreen';
import { NoTokenScreen } from './screens/NoTokenScreen';
import { Shell } from './screens/Shell';
import { useConnection, useSession, useStatus } from './stores/app';

function Screen() {
  const connection = useConnection((state) => state.info.state);
  const status = useStatus((state) => state.status);
  const session = useSession((state) => state.session);

  if (connection === 'no_token') return <NoTokenScreen />;
  if (!status) return <LoadingScreen />;
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

export function App() {
  useDialogFocus();
  return (
    <>
      <ConnectionBanner />
      <Screen />
      <ScanListener />
    </>
  );
}
