/**
 * The emailed copy of a signed agreement through the outbox, against a real SMTP server on
 * 127.0.0.1 (smtp-server, parsed with mailparser): queued with the signature, retried with a
 * backoff while the server refuses, `failed` after the last try, sent once after Send again; no
 * copy offered or queued without email settings.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailOptions } from '../../../main/core/modules.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { MAX_ATTEMPTS } from '../../../main/mail/sender.js';
import { newId } from '../../../main/store/ids.js';
import { emptyForm } from '../../../preload/api.js';
import { signaturePng } from '../../support/png.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { openTablet, postJson } from '../../support/tablet.js';

const open: TestRegister[] = [];
const received: ParsedMail[] = [];
let refuse = false;
let rcptAttempts = 0;
let smtp: SMTPServer;
let smtpPort = 0;

beforeAll(async () => {
  Object.assign(mailOptions, { baseBackoffMs: 20, maxBackoffMs: 80, timeoutMs: 5000 });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      rcptAttempts++;
      if (refuse) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const key of Object.keys(mailOptions)) delete (mailOptions as Record<string, unknown>)[key];
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});
afterEach(async () => {
  for (const register of open.splice(0)) await register.close();
  received.length = 0;
  rcptAttempts = 0;
  refuse = false;
});

async function value<T>(register: TestRegister, call: string, payload: unknown = {}): Promise<T> {
  const response = await register.call(call, payload);
  if (!response.ok) throw new Error(`${call}: ${response.error.message}`);
  return response.value as T;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = await read();
    if (done(got)) return got;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(got)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A register with the tablet on and paired, a customer whose agreement waits on it. */
async function signingSetup(withMail: boolean) {
  const register = await startTestRegister({ tabletListen: { host: '127.0.0.1', port: 0 } });
  open.push(register);
  await value(register, 'session.login', { pin: DEMO_PINS.manager });
  if (withMail) {
    const saved = await value<{ configured: boolean; hasPassword: boolean }>(register, 'mail.settings.save', {
      commandId: newId(),
      settings: { host: '127.0.0.1', port: smtpPort, security: 'none', user: '', password: 'never-shown', fromAddress: 'desk@store.example', fromName: 'Front desk' },
    });
    expect(saved).toMatchObject({ configured: true, hasPassword: true });
    expect(JSON.stringify(await value(register, 'mail.settings.get'))).not.toContain('never-shown');
  }
  const status = await value<{ address: string }>(register, 'tablet.setEnabled', { commandId: newId(), enabled: true });
  const origin = status.address.replace(/\/$/, '');
  const { code } = await value<{ code: string }>(register, 'tablet.startPairing');
  const paired = await postJson(`${status.address}pair`, { code, name: 'Desk' }, origin);
  const tablet = await openTablet(status.address, origin);
  tablet.send({ type: 'hello', token: paired.body.token });
  await tablet.next('idle');
  const customer = await value<{ id: string }>(register, 'customers.create', {
    commandId: newId(),
    draftId: null,
    form: { ...emptyForm({ adultUseAvailable: true }), firstName: 'Mae', lastName: 'Mailer', dateOfBirth: '1985-01-01' },
  });
  await value(register, 'tablet.collectSignature', { commandId: newId(), customerId: customer.id, deviceId: paired.body.deviceId });
  const agreement = (await tablet.next('agreement')).agreement as { requestId: string; copyOffered: boolean };
  const sign = async (sendCopy: boolean) => {
    tablet.send({
      type: 'submit',
      requestId: agreement.requestId,
      signaturePng: `data:image/png;base64,${signaturePng().toString('base64')}`,
      email: 'mae@example.com',
      phone: '',
      sendCopy,
    });
    await tablet.next('received');
  };
  return { register, customer, agreement, sign, tablet };
}

describe('the emailed copy of a signed agreement', () => {
  it('is neither offered nor queued while the store has no email settings', async () => {
    const { register, agreement, sign, tablet } = await signingSetup(false);
    expect(agreement.copyOffered).toBe(false);
    await sign(true);
    expect(await value<unknown[]>(register, 'mail.outbox', { limit: 10 })).toEqual([]);
    tablet.ws.close();
  });

  it('is retried with a backoff while the server refuses, waits for a person after the last try, and is sent once after Send again', async () => {
    refuse = true;
    const { register, customer, agreement, sign, tablet } = await signingSetup(true);
    expect(agreement.copyOffered).toBe(true);
    await sign(true);
    type Row = { id: string; state: string; attempts: number; lastError: string | null };
    const failed = await until(
      async () => (await value<Row[]>(register, 'mail.outbox', { limit: 10 }))[0],
      (row) => row?.state === 'failed',
      'the copy never reached failed',
    );
    expect(failed!.attempts).toBe(MAX_ATTEMPTS);
    expect(rcptAttempts).toBe(MAX_ATTEMPTS);
    expect(failed!.lastError).toMatch(/^The email server said: .*Mailbox unavailable/);
    expect(received).toHaveLength(0);
    const signed = await value<{ emailCopy: { to: string; state: string } }>(register, 'tablet.signatureOf', { customerId: customer.id });
    expect(signed.emailCopy).toEqual({ to: 'mae@example.com', state: 'failed' });
    expect(register.events.some((event) => event.event === 'mail.changed')).toBe(true);

    refuse = false;
    const retried = await value<Row>(register, 'mail.retry', { commandId: newId(), id: failed!.id });
    expect(['pending', 'sending', 'sent']).toContain(retried.state);
    await until(
      async () => (await value<Row[]>(register, 'mail.outbox', { limit: 10 }))[0],
      (row) => row?.state === 'sent',
      'the copy was not sent after Send again',
    );
    expect(received).toHaveLength(1);
    expect(received[0]!.subject).toMatch(/^Your membership agreement with /);
    expect(received[0]!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(received[0]!.messageId).toBe(`<${failed!.id}.copy@dispensary-register.local>`);
    // A sent copy cannot be sent again by hand.
    const again = await register.call('mail.retry', { commandId: newId(), id: failed!.id });
    expect(again.ok ? null : again.error.message).toBe('This email is not waiting for a person: it is sent by itself.');
    // A second Send me a copy for the same signature is not a second email.
    await sign(true);
    expect(await value<Row[]>(register, 'mail.outbox', { limit: 10 })).toHaveLength(1);
    expect(received).toHaveLength(1);
    tablet.ws.close();
  });
});
