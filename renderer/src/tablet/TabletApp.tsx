/**
 * The reception tablet's page: pair once, then wait for the agreement the register sends, show
 * it in large text with a signature box, optional email and phone, Clear, Done and (when the store
 * sends email) Send me a copy. Everything in progress is kept in the tablet's storage.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import SignaturePad from 'signature_pad';
import { tabletPairResponseSchema, type TabletAgreement, type TabletServerMessage } from '../../../preload/api';
import { TabletConnection, type LinkState } from './connection';
import { tabletStorage, type Submission } from './storage';

type Screen = { kind: 'pair'; message: string | null } | { kind: 'welcome' } | { kind: 'sign'; agreement: TabletAgreement } | { kind: 'sending' } | { kind: 'thanks'; copyTo: string | null };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function TabletApp() {
  const [token, setToken] = useState<string | null>(() => tabletStorage.token());
  const [screen, setScreenState] = useState<Screen>(() => (tabletStorage.token() ? { kind: 'welcome' } : { kind: 'pair', message: null }));
  const [link, setLink] = useState<LinkState>('connecting');
  const [storeName, setStoreName] = useState<string>('');
  const [notice, setNotice] = useState<string | null>(null);
  const connection = useRef<TabletConnection | null>(null);
  // Messages can come faster than renders: the ref always holds the screen last chosen.
  const screenRef = useRef(screen);
  const setScreen = useCallback((next: Screen | ((current: Screen) => Screen)) => {
    const value = typeof next === 'function' ? next(screenRef.current) : next;
    screenRef.current = value;
    setScreenState(value);
  }, []);

  const sendOutbox = useCallback(() => {
    const outbox = tabletStorage.outbox();
    if (!outbox) return false;
    setScreen({ kind: 'sending' });
    connection.current?.send(outbox);
    return true;
  }, [setScreen]);

  const onMessage = useCallback(
    (message: TabletServerMessage) => {
      switch (message.type) {
        case 'ready':
          setStoreName(message.storeName);
          sendOutbox();
          return;
        case 'idle':
          if (screenRef.current.kind === 'thanks' || tabletStorage.outbox()) return;
          setScreen({ kind: 'welcome' });
          return;
        case 'agreement': {
          if (tabletStorage.outbox()?.requestId === message.agreement.requestId) return; // on its way: sent on ready
          if (tabletStorage.received().includes(message.agreement.requestId)) return;
          setNotice(null);
          setScreen({ kind: 'sign', agreement: message.agreement });
          return;
        }
        case 'received': {
          const outbox = tabletStorage.outbox();
          tabletStorage.markReceived(message.requestId);
          setScreen({ kind: 'thanks', copyTo: outbox?.requestId === message.requestId && outbox.sendCopy ? outbox.email : null });
          return;
        }
        case 'error': {
          const outbox = tabletStorage.outbox();
          if (message.code === 'not_paired') {
            tabletStorage.forgetPairing();
            setToken(null);
            setScreen({ kind: 'pair', message: message.message });
            return;
          }
          if (message.code === 'unavailable') {
            // Kept: sent again in a moment.
            window.setTimeout(() => sendOutbox(), 3000);
            setNotice(message.message);
            return;
          }
          if (message.code === 'not_waiting' && message.requestId) {
            tabletStorage.dropOutbox(message.requestId);
            setNotice(message.message);
            setScreen({ kind: 'welcome' });
            return;
          }
          // Refused as sent (too large, not a signature): back to the box, strokes kept.
          if (outbox && message.requestId === outbox.requestId) {
            tabletStorage.dropOutbox(outbox.requestId);
          }
          setNotice(message.message);
          return;
        }
      }
    },
    [sendOutbox, setScreen],
  );

  useEffect(() => {
    if (!token) return;
    const next = new TabletConnection(token, onMessage, (state) => {
      setLink(state);
      if (state === 'not_paired') {
        tabletStorage.forgetPairing();
        setToken(null);
        setScreen((current) => (current.kind === 'pair' ? current : { kind: 'pair', message: 'This tablet was unpaired. Ask a manager to pair it in Settings › Tablet.' }));
      }
    });
    connection.current = next;
    next.start();
    return () => {
      next.stop();
      connection.current = null;
    };
  }, [token, onMessage, setScreen]);

  // A thank-you stays a little, then the welcome screen for the next customer.
  useEffect(() => {
    if (screen.kind !== 'thanks') return;
    const timer = window.setTimeout(() => setScreen((current) => (current.kind === 'thanks' ? { kind: 'welcome' } : current)), 12_000);
    return () => window.clearTimeout(timer);
  }, [screen, setScreen]);

  const submit = (submission: Submission) => {
    // Kept first: a signature survives a dropped link or a reload until the register has it.
    tabletStorage.setOutbox(submission);
    setNotice(null);
    setScreen({ kind: 'sending' });
    connection.current?.send(submission);
  };

  return (
    <main className="tb-page">
      {link === 'reconnecting' && token ? (
        <p className="tb-link" role="status">
          Reconnecting to the register… Nothing you entered is lost.
        </p>
      ) : null}
      {notice ? (
        <p className="tb-notice" role="alert">
          {notice}
        </p>
      ) : null}
      {screen.kind === 'pair' ? (
        <PairScreen
          message={screen.message}
          onPaired={(next) => {
            setToken(next);
            setScreen({ kind: 'welcome' });
          }}
        />
      ) : null}
      {screen.kind === 'welcome' ? (
        <section className="tb-center">
          <h1>{storeName ? `Welcome to ${storeName}` : 'Welcome'}</h1>
          <p className="tb-muted">{link === 'open' ? 'Staff will send your membership agreement to this screen.' : 'Connecting to the register…'}</p>
          <button type="button" className="tb-quiet" onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}>
            Full screen
          </button>
        </section>
      ) : null}
      {screen.kind === 'sign' ? <SignScreen key={screen.agreement.requestId} agreement={screen.agreement} onSubmit={submit} /> : null}
      {screen.kind === 'sending' ? (
        <section className="tb-center">
          <h1>Sending your signature…</h1>
          <p className="tb-muted">{link === 'open' ? 'One moment.' : 'Waiting for the register. Your signature is kept on this tablet.'}</p>
        </section>
      ) : null}
      {screen.kind === 'thanks' ? (
        <section className="tb-center" data-testid="tablet-thanks">
          <h1>Thank you!</h1>
          <p>Your membership agreement is signed.</p>
          {screen.copyTo ? <p className="tb-muted">A copy is on its way to {screen.copyTo}.</p> : null}
          <p className="tb-muted">Please hand the tablet back to staff.</p>
        </section>
      ) : null}
    </main>
  );
}

function PairScreen(props: { message: string | null; onPaired: (token: string) => void }) {
  const fromLink = /(?:^|[#&])pair=([A-Za-z0-9]{8})/.exec(location.hash)?.[1] ?? '';
  const [code, setCode] = useState(fromLink);
  const [name, setName] = useState(tabletStorage.name() ?? 'Reception tablet');
  const [error, setError] = useState<string | null>(props.message);
  const [busy, setBusy] = useState(false);

  const pair = async () => {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch('/pair', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: code.trim(), name: name.trim() }) });
      const parsed = tabletPairResponseSchema.safeParse(await response.json());
      if (!parsed.success) throw new Error('bad answer');
      if (!parsed.data.ok) {
        setError(parsed.data.message);
        return;
      }
      tabletStorage.setPaired(parsed.data.token, parsed.data.name);
      history.replaceState(null, '', location.pathname);
      props.onPaired(parsed.data.token);
    } catch {
      setError('The register did not answer: check that this tablet is on the store\'s Wi-Fi and the tablet is turned on in Settings › Tablet.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="tb-center">
      <h1>Pair this tablet</h1>
      <p className="tb-muted">A manager shows the pairing code in the register&apos;s Settings › Tablet.</p>
      <form
        className="tb-pair"
        onSubmit={(event) => {
          event.preventDefault();
          void pair();
        }}
      >
        <label>
          Pairing code
          <input value={code} autoCapitalize="characters" autoComplete="off" maxLength={8} onChange={(event) => setCode(event.target.value.toUpperCase())} />
        </label>
        <label>
          Name of this tablet
          <input value={name} maxLength={40} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="tb-primary" disabled={busy || code.trim().length !== 8 || name.trim() === ''}>
          Pair
        </button>
      </form>
      {error ? (
        <p className="tb-notice" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function SignScreen(props: { agreement: TabletAgreement; onSubmit: (submission: Submission) => void }) {
  const { agreement } = props;
  const saved = tabletStorage.draft(agreement.requestId);
  const [email, setEmail] = useState(saved?.email ?? '');
  const [phone, setPhone] = useState(saved?.phone ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<SignatureBoxHandle>(null);
  const strokes = useRef<unknown[]>(saved?.strokes ?? []);

  const keep = useCallback(
    (next: { strokes?: unknown[]; email?: string; phone?: string }) => {
      if (next.strokes) strokes.current = next.strokes;
      tabletStorage.saveDraft(agreement.requestId, { strokes: strokes.current, email: next.email ?? email, phone: next.phone ?? phone });
    },
    [agreement.requestId, email, phone],
  );

  const done = (sendCopy: boolean) => {
    if (!box.current || box.current.isEmpty()) return setProblem('Please sign in the box first.');
    if (email.trim() !== '' && !EMAIL.test(email.trim())) return setProblem('The email address does not look right: check it, or leave it empty.');
    if (sendCopy && email.trim() === '') return setProblem('Enter your email address to receive a copy.');
    if (phone.trim() !== '' && !/^[0-9 ()+.-]{7,20}$/.test(phone.trim())) return setProblem('The phone number does not look right: check it, or leave it empty.');
    setProblem(null);
    props.onSubmit({ type: 'submit', requestId: agreement.requestId, signaturePng: box.current.toPng(), email: email.trim(), phone: phone.trim(), sendCopy });
  };

  return (
    <section className="tb-sign" aria-labelledby="tb-title">
      <header>
        <h1 id="tb-title">Membership Agreement</h1>
        <p className="tb-muted">
          {agreement.storeName} · {agreement.customerName} · {agreement.date}
        </p>
      </header>
      <div className="tb-text" tabIndex={0} aria-label="Agreement text">
        {agreement.text
          .split(/\n\s*\n/)
          .filter((paragraph) => paragraph.trim() !== '')
          .map((paragraph, index) => (
            <p key={index}>{paragraph.trim()}</p>
          ))}
      </div>
      <div className="tb-box">
        <p className="tb-label">Sign here with your finger, {agreement.customerName}</p>
        <SignatureBox
          ref={box}
          initial={saved?.strokes ?? []}
          onStrokes={(next) => {
            setProblem(null);
            keep({ strokes: next });
          }}
        />
      </div>
      <div className="tb-fields">
        <label>
          Email (optional)
          <input
            type="email"
            inputMode="email"
            autoComplete="email"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              keep({ email: event.target.value });
            }}
          />
        </label>
        <label>
          Phone (optional)
          <input
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            value={phone}
            onChange={(event) => {
              setPhone(event.target.value);
              keep({ phone: event.target.value });
            }}
          />
        </label>
      </div>
      {problem ? (
        <p className="tb-notice" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="tb-actions">
        <button
          type="button"
          className="tb-secondary"
          onClick={() => {
            box.current?.clear();
            keep({ strokes: [] });
          }}
        >
          Clear
        </button>
        {agreement.copyOffered ? (
          <button type="button" className="tb-secondary" onClick={() => done(true)}>
            Send me a copy
          </button>
        ) : null}
        <button type="button" className="tb-primary" onClick={() => done(false)}>
          Done
        </button>
      </div>
    </section>
  );
}

interface SignatureBoxHandle {
  isEmpty(): boolean;
  toPng(): string;
  clear(): void;
}

const SignatureBox = forwardRef<SignatureBoxHandle, { initial: unknown[]; onStrokes: (strokes: unknown[]) => void }>(function SignatureBox(props, ref) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad | null>(null);
  const onStrokes = useRef(props.onStrokes);
  onStrokes.current = props.onStrokes;
  const initial = useRef(props.initial);

  useImperativeHandle(ref, () => ({
    isEmpty: () => pad.current?.isEmpty() ?? true,
    toPng: () => pad.current?.toDataURL('image/png') ?? '',
    clear: () => pad.current?.clear(),
  }));

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const signature = new SignaturePad(element, { penColor: '#10204a', minWidth: 1.2, maxWidth: 3.5 });
    pad.current = signature;
    // The canvas in device pixels (at most 2x, keeping the image small); strokes are redrawn after.
    const fit = () => {
      const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 2);
      const kept = signature.toData();
      element.width = Math.round(element.offsetWidth * ratio);
      element.height = Math.round(element.offsetHeight * ratio);
      element.getContext('2d')?.scale(ratio, ratio);
      signature.clear();
      if (kept.length > 0) signature.fromData(kept);
    };
    fit();
    if (initial.current.length > 0) signature.fromData(initial.current as Parameters<SignaturePad['fromData']>[0]);
    const ended = () => onStrokes.current(signature.toData());
    signature.addEventListener('endStroke', ended);
    window.addEventListener('resize', fit);
    return () => {
      signature.removeEventListener('endStroke', ended);
      window.removeEventListener('resize', fit);
      signature.off();
      pad.current = null;
    };
  }, []);

  return <canvas ref={canvas} className="tb-canvas" aria-label="Signature box" data-testid="signature-canvas" />;
});
