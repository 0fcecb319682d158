/**
 * The reception tablet through the real register and its real HTTPS tablet server on 127.0.0.1:
 * off until a manager turns it on, pairing with a one-time code, the agreement pushed to the
 * tablet, the signature coming back as a PDF on the profile (hash in the audit log), and every
 * refusal: unpaired, revoked, foreign origin, a register call, an oversized signature.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { PDFDocument } from 'pdf-lib';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { KeyFileSecretBox } from '../../../main/core/secret-box.js';
import { savePairing } from '../../../main/hub-sync/state.js';
import { applyPragmas } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { commandBody } from '../../../hub/protocol.js';
import { emptyForm } from '../../../preload/api.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { signaturePng } from '../../support/png.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { openTablet, postJson } from '../../support/tablet.js';

const open: TestRegister[] = [];
afterEach(async () => {
  for (const register of open.splice(0)) await register.close();
});

async function value<T>(register: TestRegister, call: string, payload: unknown = {}): Promise<T> {
  const response = await register.call(call, payload);
  if (!response.ok) throw new Error(`${call}: ${response.error.message}`);
  return response.value as T;
}

interface Status {
  enabled: boolean;
  address: string | null;
  fingerprint: string | null;
  devices: Array<{ id: string; name: string; connected: boolean }>;
}

async function startWithTablet(): Promise<{ register: TestRegister; address: string; origin: string }> {
  const register = await startTestRegister({ tabletListen: { host: '127.0.0.1', port: 0 } });
  open.push(register);
  await value(register, 'session.login', { pin: DEMO_PINS.manager });
  const status = await value<Status>(register, 'tablet.setEnabled', { commandId: newId(), enabled: true });
  expect(status.enabled).toBe(true);
  expect(status.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  return { register, address: status.address!, origin: status.address!.replace(/\/$/, '') };
}

async function pairOne(register: TestRegister, address: string, origin: string, name = 'Front desk') {
  const pairing = await value<{ code: string; url: string; fingerprint: string; qrDataUrl: string }>(register, 'tablet.startPairing');
  expect(pairing.qrDataUrl).toMatch(/^data:image\/png;base64,/);
  const paired = await postJson(`${address}pair`, { code: pairing.code, name }, origin);
  expect(paired.status).toBe(200);
  return { token: paired.body.token as string, deviceId: paired.body.deviceId as string, pairing };
}

async function aCustomer(register: TestRegister): Promise<{ id: string }> {
  return value(register, 'customers.create', {
    commandId: newId(),
    draftId: null,
    form: { ...emptyForm({ adultUseAvailable: true }), firstName: 'Tess', lastName: 'Tablet', dateOfBirth: '1990-04-02', email: 'old@example.com' },
  });
}

describe('the reception tablet server', () => {
  it('is off until a manager turns it on, and serves HTTPS with the fingerprint Settings shows', async () => {
    const register = await startTestRegister({ tabletListen: { host: '127.0.0.1', port: 0 } });
    open.push(register);
    await value(register, 'session.login', { pin: DEMO_PINS.budtender });
    const refused = await register.call('tablet.setEnabled', { commandId: newId(), enabled: true });
    expect(refused.ok).toBe(false);
    await value(register, 'session.logout');
    await value(register, 'session.login', { pin: DEMO_PINS.manager });
    expect((await value<Status>(register, 'tablet.status')).address).toBeNull();
    const pairingWhileOff = await register.call('tablet.startPairing', {});
    expect(pairingWhileOff.ok ? null : pairingWhileOff.error.message).toMatch(/Turn the tablet on first/);

    const on = await value<Status>(register, 'tablet.setEnabled', { commandId: newId(), enabled: true });
    const port = Number(new URL(on.address!).port);
    const served = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw).fingerprint256);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(served).toBe(on.fingerprint);
    // The key stays in the data folder: the same certificate after a restart.
    expect(readFileSync(join(register.dataDir, 'tablet-tls.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');

    const off = await value<Status>(register, 'tablet.setEnabled', { commandId: newId(), enabled: false });
    expect(off.address).toBeNull();
    await expect(openTablet(on.address!, on.address!.replace(/\/$/, ''))).rejects.toThrow();
  });

  it('pairs once per code, pushes the agreement, and keeps the signed PDF with its hash in the audit log', async () => {
    const { register, address, origin } = await startWithTablet();
    // This register belongs to a store hub: the signed agreement is sent there too.
    const db = new Database(join(register.dataDir, 'register.sqlite'));
    applyPragmas(db);
    savePairing(
      db,
      new KeyFileSecretBox(register.dataDir),
      { address: '127.0.0.1:1', hubId: newId(), hubEpoch: newId(), fingerprint: 'AA:'.repeat(31) + 'AA', deviceId: newId(), deviceName: 'Register 1', role: 'register', deviceToken: 'x'.repeat(50), clockOffsetMs: 0 },
      Date.now(),
    );
    const { token, pairing } = await pairOne(register, address, origin);
    expect(pairing.url).toBe(`${address}#pair=${pairing.code}`);
    // The code works once.
    const again = await postJson(`${address}pair`, { code: pairing.code, name: 'Second' }, origin);
    expect(again.status).toBe(403);
    expect(again.body.message).toMatch(/wrong, used or expired/);

    const tablet = await openTablet(address, origin);
    tablet.send({ type: 'hello', token });
    expect(await tablet.next('ready')).toMatchObject({ deviceName: 'Front desk' });
    await tablet.next('idle');

    const customer = await aCustomer(register);
    const devices = await value<Array<{ id: string; connected: boolean }>>(register, 'tablet.devices');
    expect(devices).toEqual([expect.objectContaining({ connected: true })]);
    const sent = await value<{ id: string; state: string }>(register, 'tablet.collectSignature', { commandId: newId(), customerId: customer.id, deviceId: devices[0]!.id });
    expect(sent.state).toBe('waiting');
    const pushed = (await tablet.next('agreement')).agreement as { requestId: string; text: string; customerName: string; copyOffered: boolean };
    expect(pushed.requestId).toBe(sent.id);
    expect(pushed.customerName).toBe('Tess Tablet');
    expect(pushed.text).toContain('I, Tess Tablet, apply to become a member of');
    expect(pushed.copyOffered).toBe(false); // no SMTP set up

    const png = signaturePng();
    tablet.send({ type: 'submit', requestId: sent.id, signaturePng: `data:image/png;base64,${png.toString('base64')}`, email: 'tess@example.com', phone: '(312) 555-0142', sendCopy: false });
    expect(await tablet.next('received')).toMatchObject({ requestId: sent.id });
    await tablet.next('idle');
    // Sent again (a dropped connection before the answer): received, never a second document.
    tablet.send({ type: 'submit', requestId: sent.id, signaturePng: `data:image/png;base64,${png.toString('base64')}`, email: 'tess@example.com', phone: '', sendCopy: false });
    expect(await tablet.next('received')).toMatchObject({ requestId: sent.id });

    const detail = await value<{ progress: { signature: boolean }; form: { email: string; phone: string }; documents: Array<{ id: string; kind: string; title: string; sha256: string; mime: string }> }>(
      register,
      'customers.get',
      { id: customer.id },
    );
    expect(detail.progress.signature).toBe(true);
    expect(detail.form.email).toBe('tess@example.com');
    expect(detail.form.phone).toBe('(312) 555-0142');
    const agreements = detail.documents.filter((d) => d.kind === 'membership_agreement');
    expect(agreements).toHaveLength(1);
    expect(agreements[0]!.title).toMatch(/^Membership Agreement \d{4}-\d{2}-\d{2}$/);
    const file = await value<{ dataBase64: string; mime: string }>(register, 'customers.document', { id: agreements[0]!.id });
    const pdfBytes = Buffer.from(file.dataBase64, 'base64');
    expect(createHash('sha256').update(pdfBytes).digest('hex')).toBe(agreements[0]!.sha256);
    const pdf = await PDFDocument.load(pdfBytes);
    const signed = await value<{ state: string; pdfSha256: string; contentSha256: string; contactChanges: Array<{ field: string; from: string | null; to: string | null }> }>(
      register,
      'tablet.signatureOf',
      { customerId: customer.id },
    );
    expect(signed.state).toBe('signed');
    expect(signed.pdfSha256).toBe(agreements[0]!.sha256);
    expect(pdf.getSubject()).toBe(`Content SHA-256 ${signed.contentSha256}`);
    expect(signed.contactChanges).toEqual([
      { field: 'Email', from: 'old@example.com', to: 'tess@example.com' },
      { field: 'Phone', from: null, to: '(312) 555-0142' },
    ]);
    const audit = await value<Array<{ action: string; details: Record<string, unknown> }>>(register, 'audit.recent', { limit: 20 });
    const event = audit.find((e) => e.action === 'tablet.signed');
    expect(event?.details).toMatchObject({ pdfSha256: agreements[0]!.sha256, contentSha256: signed.contentSha256 });
    expect(audit.filter((e) => e.action === 'tablet.signed')).toHaveLength(1);
    const history = await value<Array<{ summary: string; changes: unknown[] }>>(register, 'customers.history', { id: customer.id, limit: 10 });
    expect(history[0]!.summary).toMatch(/^Membership agreement signed on Front desk/);
    expect(history[0]!.changes).toHaveLength(2);
    const hubDocuments = (db.prepare("SELECT kind, payload FROM hub_outbox WHERE kind = 'customer.document.add'").all() as Array<{ kind: string; payload: string }>)
      .map((row) => commandBody.parse({ kind: row.kind, payload: JSON.parse(row.payload) as unknown }))
      .map((command) => command.payload as { id: string; docKind: string; sha256: string });
    expect(hubDocuments).toEqual([expect.objectContaining({ id: agreements[0]!.id, docKind: 'membership_agreement', sha256: agreements[0]!.sha256 })]);
    db.close();
    tablet.ws.close();
  });

  it('refuses an unpaired device, a revoked token (also a second page), another origin, a register call and an oversized signature', async () => {
    const { register, address, origin } = await startWithTablet();
    // Another page's origin: refused before any message.
    const pairing = await value<{ code: string }>(register, 'tablet.startPairing');
    const foreignPair = await postJson(`${address}pair`, { code: pairing.code, name: 'Evil' }, 'https://evil.example');
    expect(foreignPair.status).toBe(403);
    expect(foreignPair.body.message).toMatch(/not from another page/);
    await expect(openTablet(address, 'https://evil.example')).rejects.toThrow(/refused: 403/);
    await expect(openTablet(address, null)).rejects.toThrow(/refused: 403/);
    // A made-up token: told to pair, then closed.
    const stranger = await openTablet(address, origin);
    stranger.send({ type: 'hello', token: 'A'.repeat(43) });
    expect(await stranger.next('error')).toMatchObject({ code: 'not_paired', message: expect.stringMatching(/not paired/) });
    expect((await stranger.closed).code).toBe(4401);
    // A submit before hello is not the tablet's either.
    const early = await openTablet(address, origin);
    early.send({ type: 'submit', requestId: 'x', signaturePng: 'data:image/png;base64,AAAA', email: '', phone: '', sendCopy: false });
    expect(await early.next('error')).toMatchObject({ code: 'not_paired' });
    early.ws.close();

    const { token, deviceId } = await pairOne(register, address, origin);
    const tablet = await openTablet(address, origin);
    tablet.send({ type: 'hello', token });
    await tablet.next('ready');
    // The register's own contract is not reachable from a tablet.
    tablet.send({ id: 1, call: 'customers.search', payload: { field: 'name', query: 'a' } });
    expect(await tablet.next('error')).toMatchObject({ code: 'not_allowed', message: 'A tablet can only show the agreement it is sent and send back the signature.' });
    tablet.send({ type: 'customers.get', id: 'x' });
    expect(await tablet.next('error')).toMatchObject({ code: 'not_allowed' });
    // An oversized signature: refused with words, nothing saved.
    const customer = await aCustomer(register);
    const sent = await value<{ id: string }>(register, 'tablet.collectSignature', { commandId: newId(), customerId: customer.id, deviceId });
    await tablet.next('agreement');
    const huge = signaturePng(400, 400, 1);
    expect(huge.length).toBeGreaterThan(256 * 1024);
    tablet.send({ type: 'submit', requestId: sent.id, signaturePng: `data:image/png;base64,${huge.toString('base64')}`, email: '', phone: '', sendCopy: false });
    expect(await tablet.next('error')).toMatchObject({ code: 'too_large', message: expect.stringMatching(/too large/) });
    tablet.send('x'.repeat(3 * 1024 * 1024));
    expect(await tablet.next('error')).toMatchObject({ code: 'too_large' });
    // Not a PNG: refused.
    tablet.send({ type: 'submit', requestId: sent.id, signaturePng: 'data:image/png;base64,AAAAAAAAAAAA', email: '', phone: '', sendCopy: false });
    expect(await tablet.next('error')).toMatchObject({ code: 'invalid_message', message: 'The signature is not a PNG image.' });
    expect((await value<{ state: string }>(register, 'tablet.signatureOf', { customerId: customer.id })).state).toBe('waiting');

    // Revoked: the open page is closed, a second page with the copied token is refused.
    await value(register, 'tablet.revoke', { commandId: newId(), deviceId });
    expect(await tablet.next('error')).toMatchObject({ code: 'not_paired' });
    expect((await tablet.closed).code).toBe(4401);
    const copied = await openTablet(address, origin);
    copied.send({ type: 'hello', token });
    expect(await copied.next('error')).toMatchObject({ code: 'not_paired' });
    expect((await value<{ state: string }>(register, 'tablet.signatureOf', { customerId: customer.id })).state).toBe('cancelled');
    expect((await value<Status>(register, 'tablet.status')).devices).toEqual([]);
    // The token is kept only as its hash.
    const audit = await value<Array<{ details: Record<string, unknown> }>>(register, 'audit.recent', { limit: 50 });
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('serves nothing but the tablet page, only under its own host names, and withdraws codes after five wrong guesses', async () => {
    const { register, address, origin } = await startWithTablet();
    const port = Number(new URL(address).port);
    const get = (path: string, host = `127.0.0.1:${port}`) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path, method: 'GET', rejectUnauthorized: false, headers: { Host: host } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    // The register's own screens and API are not here.
    expect((await get('/index.html')).status).toBe(404);
    expect((await get('/api')).body).toBe('This address only serves the reception tablet page.');
    expect((await get('/../../register.sqlite')).status).toBe(404);
    // A name someone else's DNS points at this machine is not the register's.
    expect((await get('/', `evil.example:${port}`)).status).toBe(421);
    await expect(openTablet(address.replace('127.0.0.1', 'localhost'), origin)).rejects.toThrow(/refused: 403/);

    const { code } = await value<{ code: string }>(register, 'tablet.startPairing');
    for (let i = 0; i < 5; i++) {
      const wrong = await postJson(`${address}pair`, { code: `ZZZZZZZ${i}`, name: 'Guess' }, origin);
      expect(wrong.status).toBe(403);
    }
    const late = await postJson(`${address}pair`, { code, name: 'Real' }, origin);
    expect(late.status).toBe(403);
    expect(late.body.message).toMatch(/ask a manager for a new one/);
    const tooBig = await postJson(`${address}pair`, 'x'.repeat(10_000), origin);
    expect(tooBig.status).toBe(413);
    const notJson = await postJson(`${address}pair`, '{"code":', origin);
    expect(notJson.body.message).toBe('The pairing request is not JSON.');
    const badShape = await postJson(`${address}pair`, { code: 'short', name: 'x', extra: 1 }, origin);
    expect(badShape.status).toBe(400);
  });

  it('lets only an admin change the agreement text, and fills in the name, date and store', async () => {
    const { register, address, origin } = await startWithTablet();
    const refused = await register.call('tablet.agreement.save', { commandId: newId(), text: 'New text for {name}' });
    expect(refused.ok ? null : refused.error.message).toBe('Only an admin may change the membership agreement.');
    await value(register, 'session.logout');
    await value(register, 'session.login', { pin: DEMO_PINS.admin });
    await value(register, 'tablet.agreement.save', { commandId: newId(), text: 'I, {name}, join {store} on {date}.' });
    const { token, deviceId } = await pairOne(register, address, origin);
    const tablet = await openTablet(address, origin);
    tablet.send({ type: 'hello', token });
    await tablet.next('idle');
    const customer = await aCustomer(register);
    await value(register, 'tablet.collectSignature', { commandId: newId(), customerId: customer.id, deviceId });
    const agreement = (await tablet.next('agreement')).agreement as { text: string; date: string };
    const app = await value<{ storeName: string }>(register, 'app.status');
    expect(agreement.text).toBe(`I, Tess Tablet, join ${app.storeName} on ${agreement.date}.`);
    expect(agreement.text).not.toMatch(/\{(name|store|date)\}/);
    expect(agreement.date).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
    tablet.ws.close();
  });
});
