import type { Employee } from '../../../preload/api';
import { PinPad } from '../components/PinPad';
import { call } from '../register';
import { useSession, useStatus } from '../stores/app';

export interface LockScreenProps {
  employee: Employee;
  reason: 'idle' | 'manual';
}

export function LockScreen({ employee, reason }: LockScreenProps) {
  const setSession = useSession((state) => state.setSession);
  const status = useStatus((state) => state.status);
  const storeName = status?.state === 'ready' ? status.storeName : 'Dispensary Register';

  const unlock = async (pin: string) => {
    const result = await call('session.unlock', { pin });
    if (!result.ok) return result.error;
    setSession(result.value);
    return null;
  };

  const switchEmployee = async () => {
    const result = await call('session.logout', {});
    if (result.ok) setSession(result.value);
  };

  return (
    <main className="gate" aria-labelledby="lock-title">
      <div className="gate-card">
        <p className="gate-store">{reason === 'idle' ? 'Locked after a while without activity' : storeName}</p>
        <h1 id="lock-title">Register locked</h1>
        <p className="lock-who">
          In use by <strong>{employee.name}</strong>
        </p>
        <PinPad label="Enter a PIN to unlock" submitLabel="Unlock" onSubmit={unlock} />
        <button type="button" className="secondary wide" onClick={() => void switchEmployee()}>
          Switch employee
        </button>
      </div>
    </main>
  );
}
