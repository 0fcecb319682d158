import { useState } from 'react';
import type { ApiError } from '../../../preload/api';
import { PinPad } from '../components/PinPad';
import { call } from '../register';
import { useSession, useStatus } from '../stores/app';
import { useSetupFlow } from '../stores/setup';

/**
 * An employee whose PIN an admin gave (new, or reset) chooses their own: the new PIN, then the
 * same again; the core checks the given PIN once more and refuses PINs anyone could guess.
 */
function SetOwnPin({ givenPin, employeeName, onCancel }: { givenPin: string; employeeName: string; onCancel(): void }) {
  const setSession = useSession((state) => state.setSession);
  const [first, setFirst] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const chooseFirst = async (pin: string): Promise<ApiError | null> => {
    setProblem(null);
    setFirst(pin);
    return null;
  };

  const confirm = async (pin: string): Promise<ApiError | null> => {
    if (pin !== first) {
      setFirst(null);
      setProblem('The two PINs differ: choose your new PIN again.');
      return null;
    }
    const result = await call('session.setOwnPin', { currentPin: givenPin, newPin: pin });
    if (!result.ok) {
      if (result.error.code === 'wrong_pin' || result.error.code === 'locked_out') {
        onCancel();
        return result.error;
      }
      setFirst(null);
      setProblem(result.error.message);
      return null;
    }
    setSession(result.value);
    return null;
  };

  return (
    <>
      <h1 id="login-title">Choose your own PIN</h1>
      <p className="lock-who">
        Welcome, <strong>{employeeName}</strong>. The PIN you used was given to you: choose one only you know.
      </p>
      {problem ? (
        <p className="error set-pin-error" role="alert">
          {problem}
        </p>
      ) : null}
      {first === null ? (
        <PinPad key="first" label="Choose your new PIN" submitLabel="Next" onSubmit={chooseFirst} />
      ) : (
        <PinPad key="again" label="Type your new PIN again" submitLabel="Save my PIN" onSubmit={confirm} />
      )}
      <button type="button" className="secondary wide" onClick={onCancel}>
        Cancel
      </button>
    </>
  );
}

export function LoginScreen() {
  const status = useStatus((state) => state.status);
  const setSession = useSession((state) => state.setSession);
  const setupStep = useSetupFlow((state) => state.step);
  const [changing, setChanging] = useState<{ pin: string; employeeName: string } | null>(null);
  const storeName = status?.state === 'ready' ? status.storeName : 'Dispensary Register';

  const login = async (pin: string) => {
    const result = await call('session.login', { pin });
    if (!result.ok) {
      if (result.error.code === 'pin_change_required') {
        const name = result.error.detail?.employeeName;
        setChanging({ pin, employeeName: typeof name === 'string' ? name : 'there' });
        return null;
      }
      return result.error;
    }
    setSession(result.value);
    return null;
  };

  return (
    <main className="gate" aria-labelledby="login-title">
      <div className="gate-card">
        <p className="gate-store">{storeName}</p>
        {changing ? (
          <SetOwnPin givenPin={changing.pin} employeeName={changing.employeeName} onCancel={() => setChanging(null)} />
        ) : (
          <>
            <h1 id="login-title">Log in</h1>
            {setupStep === 'done' ? (
              <p className="ok" role="status">
                Your store is ready. Log in with your PIN.
              </p>
            ) : null}
            <PinPad label="Enter your PIN" submitLabel="Log in" onSubmit={login} />
          </>
        )}
      </div>
    </main>
  );
}
