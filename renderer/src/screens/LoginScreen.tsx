import { PinPad } from '../components/PinPad';
import { call } from '../register';
import { useSession, useStatus } from '../stores/app';

export function LoginScreen() {
  const status = useStatus((state) => state.status);
  const setSession = useSession((state) => state.setSession);
  const storeName = status?.state === 'ready' ? status.storeName : 'Dispensary Register';

  const login = async (pin: string) => {
    const result = await call('session.login', { pin });
    if (!result.ok) return result.error;
    setSession(result.value);
    return null;
  };

  return (
    <main className="gate" aria-labelledby="login-title">
      <div className="gate-card">
        <p className="gate-store">{storeName}</p>
        <h1 id="login-title">Log in</h1>
        <PinPad label="Enter your PIN" submitLabel="Log in" onSubmit={login} />
      </div>
    </main>
  );
}
