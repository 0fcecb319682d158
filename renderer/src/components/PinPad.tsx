import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import type { ApiError } from '../../../preload/api';

const MAX_DIGITS = 8;
const MIN_DIGITS = 4;

export interface PinPadProps {
  /** Shown above the field, e.g. "Enter your PIN". */
  label: string;
  submitLabel: string;
  /** Resolves with the core's error, or null when the PIN was accepted. */
  onSubmit(pin: string): Promise<ApiError | null>;
}

/** Seconds left of a lockout, ticking; null when there is none. */
function useCountdown(until: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [until]);
  if (until === null) return null;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

function lockoutMessage(message: string, seconds: number): string {
  const unit = seconds === 1 ? 'second' : 'seconds';
  const replaced = message.replace(/\b\d+ seconds?\b/, `${seconds} ${unit}`);
  return replaced === message && !message.includes(`${seconds} ${unit}`) ? `${message} (${seconds} ${unit} left)` : replaced;
}

/**
 * A PIN field with a large on-screen keypad. Typing digits and Enter works the same, and the
 * field holds the focus so a person can start typing straight away.
 */
export function PinPad({ label, submitLabel, onSubmit }: PinPadProps) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const secondsLeft = useCountdown(lockedUntil);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  useEffect(() => {
    if (secondsLeft === 0) {
      setLockedUntil(null);
      setError(null);
    }
  }, [secondsLeft]);

  const press = (digit: string): void => {
    setPin((current) => (current.length >= MAX_DIGITS ? current : current + digit));
  };

  const submit = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (busy) return;
    if (pin.length < MIN_DIGITS) {
      setError({ code: 'invalid_message', message: `A PIN is ${MIN_DIGITS} to ${MAX_DIGITS} digits.` });
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    const failure = await onSubmit(pin);
    setBusy(false);
    setPin('');
    setError(failure);
    const retryAfterMs = failure?.code === 'locked_out' ? failure.detail?.retryAfterMs : undefined;
    setLockedUntil(typeof retryAfterMs === 'number' ? Date.now() + retryAfterMs : null);
    inputRef.current?.focus();
  };

  // Keypad buttons keep the focus in the field, so typing and tapping can be mixed.
  const keepFocus = (event: MouseEvent): void => event.preventDefault();

  const message =
    error && error.code === 'locked_out' && secondsLeft !== null ? lockoutMessage(error.message, secondsLeft) : error?.message;

  return (
    <form className="pinpad" onSubmit={(event) => void submit(event)} aria-busy={busy}>
      <label className="pinpad-label" htmlFor="pin">
        {label}
      </label>
      <input
        ref={inputRef}
        id="pin"
        className="pinpad-field"
        type="password"
        inputMode="none"
        autoComplete="off"
        maxLength={MAX_DIGITS}
        value={pin}
        aria-describedby={message ? 'pin-error' : undefined}
        aria-invalid={message ? true : undefined}
        onChange={(event) => setPin(event.target.value.replace(/\D/g, '').slice(0, MAX_DIGITS))}
      />
      <div className="pinpad-message" aria-live="polite">
        {message ? (
          <p id="pin-error" role="alert" className={error?.code === 'locked_out' ? 'error error-lockout' : 'error'}>
            {message}
          </p>
        ) : null}
      </div>
      <div className="keypad" role="group" aria-label="Keypad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => (
          <button key={digit} type="button" className="key" onMouseDown={keepFocus} onClick={() => press(digit)}>
            {digit}
          </button>
        ))}
        <button type="button" className="key key-aux" onMouseDown={keepFocus} onClick={() => setPin('')}>
          Clear
        </button>
        <button type="button" className="key" onMouseDown={keepFocus} onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className="key key-aux"
          aria-label="Delete last digit"
          onMouseDown={keepFocus}
          onClick={() => setPin((current) => current.slice(0, -1))}
        >
          ⌫
        </button>
      </div>
      <button type="submit" className="primary pinpad-submit" disabled={busy}>
        {busy ? 'Checking…' : submitLabel}
      </button>
    </form>
  );
}
