/**
 * Scans, whichever screen has focus: shows the last scan and a banner for one nothing can use,
 * sends a licence to Customers (intake) and a product or card to the Register screen, and, in
 * the browser host, hands the page's keystrokes to the core so keyboard-wedge scanners work
 * (the core tells a scanner's burst from a person typing, per configured device).
 */
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { getClient } from '../../client';
import { call } from '../../register';
import { useNav, useSession } from '../../stores/app';
import { useScans, type ScanReceived } from './scanStore';
import { CardSwipeProblem, useCardSwipeStore } from '../rewards/cardSwipe';
import '../../styles/devices.css';

/** A burst ends after this long without a key (slow wedge scanners type every ~80-100 ms). */
const BURST_END_MS = 250;
/** Fewer keys than this are never sent: nobody configures a scanner that short. */
const MIN_KEYS = 4;
const MAX_KEYS = 4096;
/** Keys closer than this are not a person. */
const FAST_KEY_MS = 50;

type Stroke = { key: string; code: string; ctrl: boolean; alt: boolean; shift: boolean; t: number };

/** The last few keys came faster than a person types. */
function inFastBurst(strokes: Stroke[]): boolean {
  const recent = strokes.slice(-4);
  if (recent.length < 4) return false;
  return recent.every((stroke, index) => index === 0 || stroke.t - recent[index - 1]!.t < FAST_KEY_MS);
}

function captureWedgeKeys(): () => void {
  let strokes: Stroke[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    timer = null;
    const keys = strokes;
    strokes = [];
    if (keys.filter((k) => !['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'].includes(k.key)).length < MIN_KEYS) return;
    if (useSession.getState().session?.state !== 'active') return;
    void call('devices.keys', { keys: keys.slice(-MAX_KEYS) });
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.isComposing || event.repeat) return;
    // Never send what is typed into a PIN or password field.
    const target = event.target as HTMLElement | null;
    if (target instanceof HTMLInputElement && target.type === 'password') return;
    strokes.push({ key: event.key.slice(0, 20), code: event.code.slice(0, 30), ctrl: event.ctrlKey, alt: event.altKey, shift: event.shiftKey, t: Math.max(0, event.timeStamp) });
    // Inside a fast burst, Enter/Tab/Ctrl+key come from a scanner (LF = Ctrl+J...): they must not
    // submit a form, move focus or open browser features. A person's Ctrl+C still works.
    if (inFastBurst(strokes) && (event.key === 'Enter' || event.key === 'Tab' || (event.ctrlKey && !event.altKey))) event.preventDefault();
    if (timer) clearTimeout(timer);
    timer = setTimeout(send, BURST_END_MS);
  };
  window.addEventListener('keydown', onKey, { capture: true });
  return () => {
    window.removeEventListener('keydown', onKey, { capture: true });
    if (timer) clearTimeout(timer);
  };
}

function route(scan: ScanReceived): void {
  if (useScans.getState().testing) return;
  if (useSession.getState().session?.state !== 'active') return;
  if (scan.kind === 'licence') useNav.getState().go('customers');
  else if (scan.kind === 'card') {
    // A Connect/Replace Card dialog takes the swipe; at intake (Customers) the swipe opens the profile there.
    if (useCardSwipeStore.getState().capturing || useNav.getState().section === 'customers') return;
    useNav.getState().go('register');
  } else if (scan.kind === 'product') useNav.getState().go('register');
}

export function describeScan(scan: ScanReceived): string {
  switch (scan.kind) {
    case 'licence': {
      const name = [scan.licence.firstName, scan.licence.lastName].filter(Boolean).join(' ');
      return `Licence: ${name || 'no name'}`;
    }
    case 'product':
      return `Product ${scan.code}`;
    case 'card':
      return `Card ending ${scan.cardNumber.slice(-4)}`;
    case 'unrecognised':
      return 'Scan not recognised';
  }
}

export function ScanListener() {
  const last = useScans((state) => state.last);
  const problem = useScans((state) => state.problem);
  const dismiss = useScans((state) => state.dismissProblem);
  const session = useSession((state) => state.session);

  useEffect(() => {
    const stopScans = getClient().on('scan.received', (scan) => {
      useScans.getState().receive(scan);
      route(scan);
    });
    const stopKeys = getClient().kind === 'browser' ? captureWedgeKeys() : () => undefined;
    return () => {
      stopScans();
      stopKeys();
    };
  }, []);

  useEffect(() => {
    if (!problem) return;
    const timer = setTimeout(dismiss, 15_000);
    return () => clearTimeout(timer);
  }, [problem, dismiss]);

  // The status bar's slot: it exists only while the shell (and so the bar) is on screen.
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  useEffect(() => {
    setSlot(session?.state === 'active' ? document.getElementById('last-scan-slot') : null);
  }, [session?.state, last]);

  if (session?.state !== 'active') return null;
  return (
    <>
      {problem && problem.kind === 'unrecognised' ? (
        <div className="scan-problem" role="alert" data-testid="scan-problem">
          <div className="scan-problem-text">
            <strong>{problem.message}</strong>
            <span className="scan-problem-raw">
              From {problem.deviceName}: <code>{problem.rawVisible.slice(0, 160)}</code>
            </span>
          </div>
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      ) : null}
      <CardSwipeProblem />
      {last && slot
        ? createPortal(
            <span className={`last-scan last-scan-${last.kind}`} data-testid="last-scan" aria-live="polite">
              <span className="last-scan-key">Last scan</span> {describeScan(last)}
            </span>,
            slot,
          )
        : null}
    </>
  );
}
