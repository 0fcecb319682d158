/**
 * Settings › Email (managers): the store's SMTP server, used to send customers a copy of the
 * membership agreement they signed. Without it the tablet does not offer the copy.
 */
import { useEffect, useState } from 'react';
import { ulid } from 'ulid';
import type { MailSettingsView } from '../../../../preload/api';
import { call } from '../../register';

type Security = MailSettingsView['security'];

export function MailPanel() {
  const [saved, setSaved] = useState<MailSettingsView | null>(null);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('587');
  const [security, setSecurity] = useState<Security>('starttls');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [fromAddress, setFromAddress] = useState('');
  const [fromName, setFromName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const show = (view: MailSettingsView) => {
    setSaved(view);
    setHost(view.host);
    setPort(String(view.port));
    setSecurity(view.security);
    setUser(view.user);
    setPassword('');
    setFromAddress(view.fromAddress);
    setFromName(view.fromName);
  };

  useEffect(() => {
    void call('mail.settings.get', {}).then((result) => (result.ok ? show(result.value) : setMessage({ ok: false, text: result.error.message })));
  }, []);

  const save = async () => {
    if (!/^\d{1,5}$/.test(port.trim())) return setMessage({ ok: false, text: 'Port: enter the server\'s port number, e.g. 587.' });
    const result = await call('mail.settings.save', {
      commandId: ulid(),
      settings: {
        host: host.trim(),
        port: Number(port),
        security,
        user: user.trim(),
        ...(password !== '' ? { password } : {}),
        fromAddress: fromAddress.trim(),
        fromName: fromName.trim(),
      },
    });
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    show(result.value);
    setMessage({ ok: true, text: result.value.configured ? 'Email settings saved.' : 'Saved. Enter a server and a sender address to send email.' });
  };

  return (
    <section className="panel" aria-labelledby="mail-title">
      <h2 id="mail-title">Email</h2>
      <p className="muted">The email server the register sends customers their copy of the signed membership agreement through.</p>
      {saved ? (
        <form
          className="mail-form"
          aria-label="Email settings"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Email server
            <input value={host} onChange={(event) => setHost(event.target.value)} placeholder="smtp.example.com" />
          </label>
          <label>
            Port
            <input value={port} inputMode="numeric" onChange={(event) => setPort(event.target.value)} />
          </label>
          <label>
            Security
            <select value={security} onChange={(event) => setSecurity(event.target.value as Security)}>
              <option value="starttls">STARTTLS (port 587)</option>
              <option value="tls">TLS (port 465)</option>
              <option value="none">None (this network only)</option>
            </select>
          </label>
          <label>
            User name
            <input value={user} autoComplete="off" onChange={(event) => setUser(event.target.value)} />
          </label>
          <label>
            Password
            <input
              type="password"
              value={password}
              autoComplete="new-password"
              placeholder={saved.hasPassword ? 'kept: type to replace' : ''}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          <label>
            Sender address
            <input type="email" value={fromAddress} onChange={(event) => setFromAddress(event.target.value)} placeholder="frontdesk@example.com" />
          </label>
          <label>
            Sender name
            <input value={fromName} onChange={(event) => setFromName(event.target.value)} />
          </label>
          <div className="row">
            <button type="submit" className="primary">
              Save email settings
            </button>
            <span className={saved.configured ? 'ok' : 'muted'}>{saved.configured ? 'Email is set up.' : 'Email is not set up.'}</span>
          </div>
        </form>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {message ? (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
