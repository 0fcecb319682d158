/**
 * The membership agreement signed on the reception tablet, end to end in two Chromium contexts:
 * the register (Settings › Tablet and Email, the customer's profile) and the tablet (touch
 * screen, the register's self-signed certificate), with a real SMTP server on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { PDFDocument } from 'pdf-lib';
import { demo, startHost, type RunningHost } from './host';
import { expectShell, logIn } from './screens';
import {
  drawWithFinger,
  expectSignatureCheck,
  freePort,
  inkOnCanvas,
  keepShot,
  registerScreen,
  SIGNATURE,
  startMailbox,
  tabletContext,
  type TestMailbox,
} from './tablet-support';

test.describe.configure({ timeout: 180_000 });

async function openProfile(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search by').selectOption({ label: 'Name' });
  await page.getByLabel('Search', { exact: true }).fill(name.split(' ')[1]!.toLowerCase());
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function setUpEmail(page: Page, mailbox: TestMailbox): Promise<void> {
  const form = page.getByRole('form', { name: 'Email settings' });
  await form.getByLabel('Email server').fill('127.0.0.1');
  await form.getByLabel('Port', { exact: true }).fill(String(mailbox.port));
  await form.getByRole('combobox', { name: /Security/ }).selectOption('none');
  await form.getByLabel('Sender address').fill('frontdesk@greenleaf.example');
  await form.getByLabel('Sender name').fill('Front desk');
  await form.getByRole('button', { name: 'Save email settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Email settings saved.' })).toBeVisible();
}

/** Turns the tablet on, shows a pairing code and returns what the tablet needs to open. */
async function turnOnAndPair(page: Page): Promise<{ link: string; address: string }> {
  const panel = page.getByRole('region', { name: 'Tablet' });
  await panel.getByRole('checkbox', { name: /Reception tablet off/ }).click();
  await expect(panel.getByText('Reception tablet on')).toBeVisible();
  const address = (await panel.getByTestId('tablet-address').textContent()) ?? '';
  expect(address).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  await expect(panel.getByTestId('tablet-fingerprint')).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await panel.getByRole('button', { name: 'Pair a tablet' }).click();
  const code = (await panel.getByTestId('pairing-code').textContent()) ?? '';
  expect(code).toMatch(/^[A-Z0-9]{8}$/);
  await expect(panel.getByRole('img', { name: 'QR code to pair a tablet' })).toBeVisible();
  return { link: `${address}#pair=${code}`, address };
}

test('pair, send, sign with a finger, Done with email and phone: the PDF is on the profile with its hash, the checkmark turns green', async ({ page, browser }) => {
  const mailbox = await startMailbox();
  const host = await startHost({ env: { REGISTER_TABLET_HOST: '127.0.0.1', REGISTER_TABLET_PORT: '0' } });
  const tablet = await tabletContext(browser);
  try {
    await logIn(page, host.url, demo.admin.pin, demo.admin.name);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
    await setUpEmail(page, mailbox);
    await page.getByRole('region', { name: 'Email' }).scrollIntoViewIfNeeded();
    await keepShot(page, 'settings-email');
    const { link } = await turnOnAndPair(page);
    await page.getByRole('region', { name: 'Tablet' }).scrollIntoViewIfNeeded();
    await keepShot(page, 'settings-tablet-pairing');

    // The tablet opens the QR code's address: the code is filled in; it names itself and pairs.
    const pad = await tablet.newPage();
    await pad.goto(link);
    await expect(pad.getByRole('heading', { name: 'Pair this tablet' })).toBeVisible();
    await expect(pad.getByLabel('Pairing code')).toHaveValue(link.split('=')[1]!);
    await pad.getByLabel('Name of this tablet').fill('Front desk tablet');
    await keepShot(pad, 'tablet-pair');
    await pad.getByRole('button', { name: 'Pair' }).click();
    await expect(pad.getByRole('heading', { name: /^Welcome to / })).toBeVisible();
    await expect(pad.getByText('Staff will send your membership agreement to this screen.')).toBeVisible();
    expect(new URL(pad.url()).hash).toBe('');
    await keepShot(pad, 'tablet-welcome');
    const panel = page.getByRole('region', { name: 'Tablet' });
    await expect(panel.getByRole('row', { name: /Front desk tablet/ }).getByText('Connected')).toBeVisible();

    await openProfile(page, 'Olivia Hart');
    await expectSignatureCheck(page, false);
    await page.getByRole('button', { name: /Collect Signature/ }).click();
    await page.getByRole('dialog', { name: 'Send the membership agreement to' }).getByRole('button', { name: 'Front desk tablet' }).click();
    await expect(page.getByTestId('signature-status').getByText('Waiting for signature')).toBeVisible();
    await keepShot(page, 'profile-waiting-for-signature');

    // The tablet shows the agreement with her name, large, and a box to sign with a finger.
    await expect(pad.getByRole('heading', { name: 'Membership Agreement' })).toBeVisible();
    await expect(pad.getByLabel('Agreement text')).toContainText('I, Olivia Hart, apply to become a member of');
    await expect(pad.getByRole('button', { name: 'Send me a copy' })).toBeVisible();
    await pad.getByRole('button', { name: 'Done' }).click();
    await expect(pad.getByRole('alert')).toHaveText('Please sign in the box first.');
    await drawWithFinger(pad, SIGNATURE);
    expect(await inkOnCanvas(pad)).toBeGreaterThan(200);
    await pad.getByLabel('Email (optional)').fill('olivia.h.new@example.com');
    await pad.getByLabel('Phone (optional)').fill('(312) 555-0199');
    await keepShot(pad, 'tablet-agreement-signed');
    await pad.getByRole('button', { name: 'Done' }).click();
    await expect(pad.getByRole('heading', { name: 'Thank you!' })).toBeVisible();
    await keepShot(pad, 'tablet-thank-you');

    // The profile: green checkmark, what the tablet filled in, the PDF in Document Uploads.
    await expectSignatureCheck(page, true);
    const check = page.getByRole('list', { name: 'Signup progress' }).getByLabel('Signature: done');
    await expect(check).toHaveClass(/cu-step-done/);
    await expect(check).toHaveCSS('color', 'rgb(61, 220, 151)');
    const status = page.getByTestId('signature-status');
    await expect(status).toContainText('Membership agreement signed');
    await expect(status.getByRole('list', { name: 'Filled in on the tablet' })).toContainText('Email: olivia.hart@example.com → ');
    await expect(status.getByRole('list', { name: 'Filled in on the tablet' })).toContainText('→ olivia.h.new@example.com');
    await expect(status.getByRole('list', { name: 'Filled in on the tablet' })).toContainText('→ (312) 555-0199');
    await expect(page.getByText('olivia.h.new@example.com').first()).toBeVisible();
    await expect(page.getByText(/^Membership Agreement \d{4}-\d{2}-\d{2}$/).first()).toBeVisible();
    await keepShot(page, 'profile-signed');

    // The PDF's bytes hash to the SHA-256 in the audit event, and it prints the content hash.
    const screen = await registerScreen(host, demo.admin.pin);
    try {
      const found = await screen.call<{ results: Array<{ id: string; displayName: string }> }>('customers.search', { field: 'name', query: 'hart', limit: 5 });
      const detail = await screen.call<{ id: string; documents: Array<{ id: string; kind: string; sha256: string; title: string }> }>('customers.get', {
        id: found.results.find((row) => row.displayName.includes('Olivia'))!.id,
      });
      const agreements = detail.documents.filter((d) => d.kind === 'membership_agreement');
      expect(agreements).toHaveLength(1);
      const file = await screen.call<{ dataBase64: string; mime: string }>('customers.document', { id: agreements[0]!.id });
      expect(file.mime).toBe('application/pdf');
      const pdf = Buffer.from(file.dataBase64, 'base64');
      const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
      expect(pdfSha256).toBe(agreements[0]!.sha256);
      const audit = await screen.call<Array<{ action: string; customerId: string | null; details: Record<string, unknown> }>>('audit.recent', { limit: 30 });
      const signed = audit.filter((event) => event.action === 'tablet.signed');
      expect(signed).toHaveLength(1);
      expect(signed[0]!.details.pdfSha256).toBe(pdfSha256);
      expect(signed[0]!.customerId).toBe(detail.id);
      const request = await screen.call<{ contentSha256: string }>('tablet.signatureOf', { customerId: detail.id });
      expect((await PDFDocument.load(pdf)).getSubject()).toBe(`Content SHA-256 ${request.contentSha256}`);
    } finally {
      screen.close();
    }
    // Done (not "Send me a copy"): no email.
    expect(mailbox.attempts).toBe(0);
  } finally {
    await tablet.close();
    await host.stop();
    await mailbox.close();
  }
});

test('a dropped link keeps the signature in progress; the copy arrives once, with the PDF, although the register was killed mid-send', async ({ page, browser }) => {
  const mailbox = await startMailbox();
  const tabletPort = await freePort();
  const env = { REGISTER_TABLET_HOST: '127.0.0.1', REGISTER_TABLET_PORT: String(tabletPort) };
  // The test owns the data folder: it outlives each register process.
  const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-tablet-'));
  let host: RunningHost = await startHost({ env, dataDir });
  const tablet = await tabletContext(browser);
  try {
    await logIn(page, host.url, demo.admin.pin, demo.admin.name);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
    await setUpEmail(page, mailbox);
    const { link } = await turnOnAndPair(page);
    const pad = await tablet.newPage();
    await pad.goto(link);
    await pad.getByRole('button', { name: 'Pair' }).click();
    await expect(pad.getByRole('heading', { name: /^Welcome to / })).toBeVisible();

    await openProfile(page, 'Grace Chen');
    await page.getByRole('button', { name: /Collect Signature/ }).click();
    await page.getByRole('dialog', { name: 'Send the membership agreement to' }).getByRole('button', { name: 'Reception tablet' }).click();
    await expect(pad.getByRole('heading', { name: 'Membership Agreement' })).toBeVisible();

    // Half signed, then the page reloads: the strokes and the email are still there.
    await drawWithFinger(pad, SIGNATURE.slice(0, 1));
    const firstStroke = await inkOnCanvas(pad);
    expect(firstStroke).toBeGreaterThan(50);
    await pad.getByLabel('Email (optional)').fill('grace.chen@example.com');
    await pad.reload();
    await expect(pad.getByRole('heading', { name: 'Membership Agreement' })).toBeVisible();
    await expect.poll(() => inkOnCanvas(pad)).toBeGreaterThan(50);
    await expect(pad.getByLabel('Email (optional)')).toHaveValue('grace.chen@example.com');

    // The link drops (the register stops): the tablet says so, keeps what is drawn, and takes more.
    await host.stop();
    await expect(pad.getByText('Reconnecting to the register… Nothing you entered is lost.')).toBeVisible();
    await drawWithFinger(pad, SIGNATURE.slice(1));
    expect(await inkOnCanvas(pad)).toBeGreaterThan(firstStroke);
    await pad.getByRole('button', { name: 'Send me a copy' }).click();
    await expect(pad.getByRole('heading', { name: 'Sending your signature…' })).toBeVisible();
    await expect(pad.getByText('Waiting for the register. Your signature is kept on this tablet.')).toBeVisible();

    // The register comes back: the tablet sends the kept signature by itself. The email server
    // holds the copy's conversation, and the register is killed while it waits.
    mailbox.holdNext = true;
    host = await startHost({ env, dataDir });
    await expect(pad.getByRole('heading', { name: 'Thank you!' })).toBeVisible({ timeout: 30_000 });
    await expect(pad.getByText('A copy is on its way to grace.chen@example.com.')).toBeVisible();
    await mailbox.held;
    await host.kill();
    expect(mailbox.messages).toHaveLength(0);

    // Started again: the copy cut off mid-send is sent again, the same message, once.
    host = await startHost({ env, dataDir });
    await expect.poll(() => mailbox.messages.length, { timeout: 30_000 }).toBe(1);
    const screen = await registerScreen(host, demo.admin.pin);
    try {
      await expect
        .poll(async () => (await screen.call<Array<{ state: string }>>('mail.outbox', { limit: 10 })).map((row) => row.state), { timeout: 30_000 })
        .toEqual(['sent']);
      const [row] = await screen.call<Array<{ id: string; attempts: number; to: string }>>('mail.outbox', { limit: 10 });
      expect(row!.attempts).toBe(2);
      expect(mailbox.attempts).toBe(2);
      expect(mailbox.messages).toHaveLength(1);
      const message = mailbox.messages[0]!;
      expect(message.to && !Array.isArray(message.to) ? message.to.text : '').toBe('grace.chen@example.com');
      expect(message.messageId).toBe(`<${row!.id}.copy@dispensary-register.local>`);
      expect(message.attachments).toHaveLength(1);
      const attachment = message.attachments[0]!;
      expect(attachment.contentType).toBe('application/pdf');
      const found = await screen.call<{ results: Array<{ id: string; displayName: string }> }>('customers.search', { field: 'name', query: 'chen', limit: 5 });
      const grace = await screen.call<{ documents: Array<{ kind: string; sha256: string }>; form: { email: string } }>('customers.get', {
        id: found.results.find((r) => r.displayName.includes('Grace'))!.id,
      });
      const agreements = grace.documents.filter((d) => d.kind === 'membership_agreement');
      expect(agreements).toHaveLength(1);
      expect(createHash('sha256').update(attachment.content).digest('hex')).toBe(agreements[0]!.sha256);
      expect(grace.form.email).toBe('grace.chen@example.com');
    } finally {
      screen.close();
    }

    // The tablet reconnected to the new register and is not asked for that signature again.
    await expect(pad.getByText('Reconnecting to the register…')).toHaveCount(0, { timeout: 20_000 });
    await expect(pad.getByRole('heading', { name: 'Membership Agreement' })).toHaveCount(0);

    // The Sync screen lists the copy as sent.
    await page.goto(host.url);
    await logIn(page, host.url, demo.admin.pin, demo.admin.name);
    await expectShell(page, demo.admin.name);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sync', exact: true }).click();
    const emails = page.getByRole('table', { name: 'Emails' });
    await expect(emails.getByRole('row', { name: /grace\.chen@example\.com/ })).toContainText('Sent');
    await page.getByRole('region', { name: 'Emails' }).scrollIntoViewIfNeeded();
    await keepShot(page, 'sync-emails');
  } finally {
    await tablet.close();
    await host.stop();
    await mailbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
