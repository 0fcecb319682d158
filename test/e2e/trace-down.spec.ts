/**
 * The state system down, at the counter (Chromium, demo store: Illinois, the embedded BioTrack
 * sandbox switched to an outage through its harness): the register's Purchase Allotment pop-up
 * shows the red Offline mark and takes the allotment after the medical ID is confirmed and the two
 * cautions are accepted; a manager who turns medical sales off while the state system is down
 * (Settings › Track & Trace) is followed by check-in AND the register.
 */
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { demo, useHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function go(page: Page, section: 'Queue' | 'Register' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
}

/** The sandbox harness (its address from the admin's settings, over the host's WebSocket). */
async function harness(running: RunningHost): Promise<(body: unknown) => Promise<void>> {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/api?token=${running.token}`, { origin: `http://127.0.0.1:${running.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const ask = (call: string, payload: unknown) =>
    new Promise<{ ok: boolean; value?: unknown }>((resolve) => {
      const id = next++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean; value?: unknown };
        if (message.id === id) {
          socket.off('message', onMessage);
          resolve(message);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, call, payload }));
    });
  try {
    await ask('session.login', { pin: demo.admin.pin });
    const settings = await ask('trace.settings.get', {});
    const url = (settings.value as { demoSandboxUrl: string }).demoSandboxUrl.replace(/\/serverjson\.asp$/, '');
    return async (body) => {
      const response = await fetch(`${url}/__faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(response.ok).toBe(true);
    };
  } finally {
    socket.close();
  }
}

async function openRegisterTicket(page: Page, search: string, name: string): Promise<void> {
  await go(page, 'Register');
  await page.getByLabel('Search customers').fill(search);
  await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText(name);
}

async function scanCode(page: Page, code: string): Promise<void> {
  const field = page.getByTestId('scan-field');
  await field.fill(code);
  await field.press('Enter');
}

test('the state system down: the register shows Offline and takes the allotment once the medical ID is confirmed', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const faults = await harness(host());
  await faults({ rules: [{ action: '*', fault: 'offline', times: 0 }] });
  try {
    await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
    await openRegisterTicket(page, 'rosa', 'Rosa Delgado');
    const dialog = page.getByTestId('allotment-dialog');
    await expect(dialog.getByText('Offline', { exact: true })).toBeVisible();
    await expect(dialog).toContainText('The state system did not answer');
    // Nothing to type until the ID is confirmed and both cautions are accepted.
    const use = dialog.getByRole('button', { name: 'Use this allotment' });
    await expect(use).toBeDisabled();
    await expect(dialog.getByLabel('Allotment in grams')).toBeDisabled();
    await dialog.getByLabel('Confirm the medical ID').fill('MP7K2Q9X4E');
    await expect(dialog.getByText("This does not match the profile's medical ID")).toBeVisible();
    await dialog.getByLabel('Confirm the medical ID').fill('mp7k2q9x4d');
    await dialog.getByLabel('A wrong medical ID makes the sale fail to post to the state system.').check();
    await dialog.getByLabel(/Too high an allotment may let the sale exceed/).check();
    await dialog.getByLabel('Allotment in grams').fill('80');
    await expect(dialog.getByText('At most the legal limit of 70.8730 g.')).toBeVisible();
    await expect(use).toBeDisabled();
    await dialog.getByLabel('Allotment in grams').fill('30');
    await expect(use).toBeEnabled();
    await shot(page, 'register-allotment-offline');
    await use.click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Typed by hand while the state system is down: 30.0000 g remaining.' })).toBeVisible();
    await expect(page.getByTestId('meter-left-usable_cannabis')).toHaveText('30.00 g');

    await scanCode(page, '7194220405500359'); // Sour Diesel 28 g (medical)
    await expect(page.getByTestId('meter-left-usable_cannabis')).toHaveText('2.00 g');
    await shot(page, 'register-allotment-typed');
    await scanCode(page, '7194220405500359');
    await expect(page.getByTestId('refusal')).toContainText('Refused');
    await page.getByTestId('refusal').getByRole('button', { name: 'OK' }).click();
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Debit', exact: true }).click();
    await page.getByRole('button', { name: 'Complete sale' }).click();
    await expect(page.getByTestId('receipt-trace')).toContainText(/queued|pending|in_flight|unknown/);
  } finally {
    await faults({ clear: true });
  }
});

test('a manager stops medical sales while the state system is down: check-in and the register both refuse', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1300 });
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  await go(page, 'Settings');
  const setting = page.getByTestId('trace-down-setting');
  await expect(setting.getByLabel(/Follow the Illinois default \(sell, with the allotment typed by hand\)/)).toBeChecked();
  await expect(page.getByTestId('trace-down-rule')).toContainText('shall not operate while the point-of-sale equipment');
  await setting.getByLabel('Stop medical sales until the state system answers again').check();
  await expect(setting.getByRole('status')).toHaveText('Saved: no medical sales while the state system is down.');
  await setting.scrollIntoViewIfNeeded();
  await shot(page, 'settings-trace-down');

  const faults = await harness(host());
  await faults({ rules: [{ action: '*', fault: 'offline', times: 0 }] });
  try {
    // Check-in refuses.
    await go(page, 'Queue');
    await page.getByLabel('Search by name').fill('samuel');
    await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Samuel Okafor/ }).click();
    const checkIn = page.getByRole('dialog');
    await expect(checkIn.getByText('Offline', { exact: true })).toBeVisible();
    await expect(checkIn.getByRole('alert')).toContainText('This store does not sell to medical patients while the state system is down');
    await expect(checkIn.getByRole('button', { name: 'Check in' })).toBeDisabled();
    await checkIn.getByRole('button', { name: 'Cancel' }).click();

    // The register refuses too: no ID to confirm, no figure to type, no line, no sale.
    await openRegisterTicket(page, 'rosa', 'Rosa Delgado');
    const dialog = page.getByTestId('allotment-dialog');
    await expect(dialog.getByText('Offline', { exact: true })).toBeVisible();
    await expect(dialog.getByRole('alert')).toContainText('This store does not sell to medical patients while the state system is down');
    await expect(dialog.getByLabel('Confirm the medical ID')).toHaveCount(0);
    await shot(page, 'register-allotment-offline-refused');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await scanCode(page, '7194220405500100');
    await expect(page.getByTestId('refusal')).toContainText('This store does not sell to medical patients while the state system is down');
    await expect(page.getByTestId('ticket-line')).toHaveCount(0);
    await page.getByRole('button', { name: 'Discard ticket' }).click();
  } finally {
    await faults({ clear: true });
  }
  // Back to the state's default.
  await go(page, 'Settings');
  await setting.getByLabel(/Follow the Illinois default/).check();
  await expect(setting.getByRole('status')).toHaveText('Saved: medical sales continue while the state system is down.');
});

test('a patient added straight to a ticket gets the allotment pop-up: the state figure, or 0.0000 g and a refusal when the card is not found', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const faults = await harness(host());
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await openRegisterTicket(page, 'samuel', 'Samuel Okafor');
  const dialog = page.getByTestId('allotment-dialog');
  await expect(dialog.getByText('State system', { exact: true })).toBeVisible();
  await expect(dialog.getByTestId('allotment-amount')).toHaveText('70.8700 g');
  await shot(page, 'register-allotment-direct');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByRole('button', { name: 'Discard ticket' }).click();

  // The state system does not know the card (its answer to the next lookup).
  await faults({ cannedLookups: [{ success: 0, errorcode: '602', error: 'Card MP3H8W1N6T does not exist' }] });
  try {
    await openRegisterTicket(page, 'samuel', 'Samuel Okafor');
    await expect(dialog.getByTestId('allotment-amount')).toHaveText('0.0000 g');
    await expect(dialog.getByRole('alert')).toContainText('The patient licence number MP3H8W1N6T was not found in the state system');
    await expect(dialog.getByLabel('Confirm the medical ID')).toHaveCount(0);
    await shot(page, 'register-allotment-not-found');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await scanCode(page, '7194220405500100');
    await expect(page.getByTestId('refusal')).toContainText('was not found in the state system');
    await expect(page.getByTestId('ticket-line')).toHaveCount(0);
    await page.getByTestId('refusal').getByRole('button', { name: 'OK' }).click();
    // The card is found on the next lookup: the pop-up shows the figure and the sale goes on.
    await page.getByRole('button', { name: 'Look up again' }).click();
    await expect(dialog.getByTestId('allotment-amount')).toHaveText('70.8700 g');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await scanCode(page, '7194220405500100');
    await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  } finally {
    await faults({ clear: true });
  }
});
