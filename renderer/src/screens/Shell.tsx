import type { Employee } from '../../../preload/api';
import { NavBar } from '../components/NavBar';
import { StatusBar } from '../components/StatusBar';
import { call } from '../register';
import { useNav, useSession, useStatus } from '../stores/app';
import { CustomersScreen, QueueScreen, RegisterScreen, SyncScreen, TillScreen } from './Sections';
import { SettingsScreen } from './SettingsScreen';
import { ProductsScreen } from './catalogue/ProductsScreen';

function Section({ employee }: { employee: Employee }) {
  const section = useNav((state) => state.section);
  switch (section) {
    case 'customers':
      return <CustomersScreen />;
    case 'queue':
      return <QueueScreen />;
    case 'register':
      return <RegisterScreen />;
    case 'products':
      return <ProductsScreen employee={employee} />;
    case 'till':
      return <TillScreen employee={employee} />;
    case 'sync':
      return <SyncScreen />;
    case 'settings':
      return <SettingsScreen employee={employee} />;
  }
}

export function Shell({ employee }: { employee: Employee }) {
  const setSession = useSession((state) => state.setSession);
  const status = useStatus((state) => state.status);
  const storeName = status?.state === 'ready' ? status.storeName : '';

  const lock = async () => {
    const result = await call('session.lock', {});
    if (result.ok) setSession(result.value);
  };

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">{storeName || 'Dispensary Register'}</span>
        <NavBar />
        <button type="button" className="lock-button" onClick={() => void lock()}>
          <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <rect x="5" y="11" width="14" height="10" rx="2" />
            <path d="M8 11V8a4 4 0 0 1 8 0v3" />
          </svg>
          Lock
        </button>
      </header>
      <main className="content">
        <Section employee={employee} />
      </main>
      <StatusBar employee={employee} />
    </div>
  );
}
