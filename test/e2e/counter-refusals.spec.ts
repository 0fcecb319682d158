/**
 * An expired ID or an under-age customer is never checked in or sold to, whatever the path
 * (Chromium, the real browser host, the Illinois demo store): check-in from the customer list,
 * a manual profile, a customer added straight to a ticket, a caregiver-patient, and payment,
 * where the core refuses by itself. A renewed licence scanned at Customers lifts the refusal.
 * Screenshots in docs/screens/.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import WebSocket from 'ws';
import { modernPayload } from '../unit/licenses/build';
import { demo, repoRoot, useHost, type RunningHost } from './host';
import { logIn, screenshotDir } from './screens';

const host = useHost();

async function keep(page: Page, name: string, subject: Locator): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await subject.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function go(page: Page, where: 'Customers' | 'Register' | 'Queue'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: where, exact: true }).click();
}

async function start(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
}

async function openProfile(page: Page, search: string, name: string): Promise<void> {
  await go(page, 'Customers');
  await page.getByLabel('Search', { exact: true }).fill(search);
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** A date `days` days from now (negative: ago) as yyyy-mm-dd, far enough from midnight in any zone to mean the same day. */
function isoDaysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
const storeFormat = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

/** A second connection to the core, as another screen of the same register would make. */
async function coreSession(running: RunningHost, pin: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/api?token=${running.token}`, { origin: `http://127.0.0.1:${running.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const ask = <T>(call: string, payload: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean; value?: T; error?: { message: string } };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.ok) resolve(message.value as T);
        else reject(new Error(message.error?.message));
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, call, payload }));
    });
  await ask('session.login', { pin });
  return { ask, close: () => socket.close() };
}

test('an expired ID: refused at check-in from the customer list and at the register; the renewed licence scanned lifts it', async ({ page }) => {
  await start(page);
  await openProfile(page, 'gavin', 'Gavin Reyes');
  await expect(page.getByRole('alert').filter({ hasText: 'identification expired' })).toContainText(
    'The identification expired on 07/21/2024: scan their renewed licence or state ID before checking them in or selling.',
  );
  await page.getByRole('button', { name: 'Check In', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('alert')).toContainText(
    "Gavin Reyes's ID expired on 07/21/2024: scan their renewed licence or state ID at Customers (it updates the profile) before checking them in.",
  );
  await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
  await keep(page, 'customers-checkin-expired-id', dialog);
  await page.keyboard.press('Escape');

  // Straight to a ticket at the register: the core refuses to open it.
  await go(page, 'Register');
  await page.getByLabel('Search customers').fill('gavin');
  await page.getByRole('button', { name: /^Gavin Reyes/ }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'ID expired' })).toHaveText(
    "Gavin Reyes's ID expired on 07/21/2024: scan their renewed licence or state ID at Customers (it updates the profile) before selling.",
  );
  await expect(page.getByTestId('ticket-customer')).toHaveCount(0);

  // He shows his renewed licence at Customers: the scan updates the profile and the check-in goes through.
  await go(page, 'Customers');
  await page.getByLabel('Scan field').fill(modernPayload({ DAQ: 'G77777777', DCS: 'REYES', DAC: 'GAVIN', DBB: '07211990', DAJ: 'IL' }));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('region', { name: 'Licence scan' })).toContainText('ID expiration: 07/21/2024 → 12/10/2030');
  await page.getByRole('button', { name: 'Check In', exact: true }).click();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(page.getByText('Gavin Reyes is checked in and waiting in the queue.')).toBeVisible();
});

test('a 19-year-old on a profile typed by hand: refused at check-in and straight to a ticket, the age in plain words', async ({ page }) => {
  await start(page);
  await go(page, 'Customers');
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Nina');
  await page.getByLabel('Last name').fill('Nineteen');
  await page.getByLabel('Birth date').fill(storeFormat(isoDaysFromNow(-(19 * 365 + 30))));
  await page.getByLabel('Birth date').press('Enter');
  await page.getByLabel('Identification expiration').fill('01/01/2031');
  await page.getByLabel('Identification expiration').press('Enter');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Nina Nineteen' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'is 19' })).toContainText('This customer is 19 — adult-use sales need 21 or older.');

  await page.getByRole('button', { name: 'Check In', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('alert')).toContainText('Nina Nineteen is 19 — adult-use sales need 21 or older.');
  await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
  await page.keyboard.press('Escape');

  await go(page, 'Register');
  await page.getByLabel('Search customers').fill('nineteen');
  await page.getByRole('button', { name: /^Nina Nineteen/ }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'is 19' });
  await expect(refused).toHaveText('Nina Nineteen is 19 — adult-use sales need 21 or older.');
  await expect(page.getByTestId('ticket-customer')).toHaveCount(0);
  await keep(page, 'register-under-age-refused', refused);
});

test('at payment the core refuses by itself: the ID expired after the ticket was opened', async ({ page }) => {
  await start(page);
  await go(page, 'Register');
  await page.getByLabel('Search customers').fill('marcus');
  await page.getByRole('button', { name: /^Marcus Bell/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Marcus Bell');
  const field = page.getByTestId('scan-field');
  await field.fill('850012340201'); // UPC: Watermelon Gummies
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);

  // Meanwhile, on another screen, his profile is corrected: the ID on file expired two days ago.
  const core = await coreSession(host(), demo.manager.pin);
  const expired = isoDaysFromNow(-2);
  try {
    const found = await core.ask<{ results: Array<{ id: string }> }>('customers.search', { field: 'name', query: 'marcus bell', limit: 5 });
    const detail = await core.ask<{ form: Record<string, unknown> }>('customers.get', { id: found.results[0]!.id });
    await core.ask('customers.update', { commandId: ulid(), id: found.results[0]!.id, form: { ...detail.form, identificationExpires: expired }, draftId: null });
  } finally {
    core.close();
  }

  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByLabel('Amount tendered').fill('100');
  await page.getByRole('button', { name: 'Cash', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'ID expired' });
  await expect(refused).toHaveText(
    `Marcus Bell's ID expired on ${storeFormat(expired)}: scan their renewed licence or state ID at Customers (it updates the profile) before selling. The ticket is still open.`,
  );
  await expect(page.getByTestId('receipt')).toHaveCount(0);
  await keep(page, 'register-payment-refused-expired-id', refused);
  await page.getByRole('button', { name: 'Discard ticket' }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveCount(0);
});

test("a caregiver-patient on an expired card cannot be chosen for the caregiver's ticket", async ({ page }) => {
  await start(page);
  await go(page, 'Register');
  await page.getByLabel('Search customers').fill('henry');
  await page.getByRole('button', { name: /^Henry Alvarez/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Henry Alvarez');
  await page.getByRole('button', { name: 'Add a patient for this caregiver' }).click();
  const form = page.getByRole('form', { name: 'New patient' });
  await form.getByLabel('First name').fill('Paul');
  await form.getByLabel('Last name').fill('Lapsed');
  await form.getByLabel('Medical licence').fill('MP8L3X5K2E');
  await form.getByLabel('Licence expires (yyyy-mm-dd)').fill('2025-01-31');
  await form.getByLabel('Birth date (yyyy-mm-dd)').fill('1980-02-02');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Paul Lapsed cannot be served' })).toHaveText(
    'Paul Lapsed cannot be served: Card expired 01/31/2025: a patient is served only on a current card.',
  );
  const patients = page.getByRole('group', { name: 'Patient' });
  await expect(patients.getByRole('button', { name: /Paul Lapsed/ })).toBeDisabled();
  await expect(patients.getByRole('button', { name: /Paul Lapsed/ })).toContainText('Card expired 01/31/2025: a patient is served only on a current card.');
  await expect(page.getByTestId('ticket-sub')).not.toContainText('Caregiver for Paul Lapsed');
  await keep(page, 'register-caregiver-patient-expired', patients);
});
