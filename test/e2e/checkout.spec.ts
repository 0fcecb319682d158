/**
 * Checkout end to end in Chromium against the browser host (demo store, embedded BioTrack
 * sandbox): a sale from the queue to the receipt with product barcodes typed in the scan field
 * (as a keyboard-wedge scanner types them), a refused line, and a medical sale made while
 * BioTrack is down that is posted once it is back.
 */
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { demo, useHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function go(page: Page, section: 'Queue' | 'Register'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
}

async function scanCode(page: Page, code: string): Promise<void> {
  const field = page.getByTestId('scan-field');
  await field.fill(code);
  await field.press('Enter');
}

/** A WebSocket client on the host (as the admin), for the sandbox harness and the sync status. */
async function admin(running: RunningHost) {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/api?token=${running.token}`, { origin: `http://127.0.0.1:${running.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const ask = <T>(call: string, payload: unknown) =>
    new Promise<{ ok: boolean; value?: T }>((resolve) => {
      const id = next++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean; value?: T };
        if (message.id === id) {
          socket.off('message', onMessage);
          resolve(message);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, call, payload }));
    });
  await ask('session.login', { pin: demo.admin.pin });
  const settings = await ask<{ demoSandboxUrl: string | null }>('trace.settings.get', {});
  const harness = settings.value!.demoSandboxUrl!.replace(/\/serverjson\.asp$/, '');
  return {
    ask,
    faults: async (body: unknown) => {
      const response = await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(response.ok).toBe(true);
    },
    close: () => socket.close(),
  };
}

test('a sale from the queue to the receipt with product scans', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('olivia');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  await page.getByRole('button', { name: /Open Olivia Hart's ticket at the Register/ }).click();

  await expect(page.getByTestId('ticket-customer')).toHaveText('Olivia Hart');
  await expect(page.getByTestId('meter')).toBeVisible();
  await scanCode(page, '7194220405500100'); // BioTrack barcode: Prairie Sunset 3.5 g
  await scanCode(page, '7194220405500100');
  await scanCode(page, '850012340201'); // UPC: Watermelon Gummies
  await expect(page.getByTestId('ticket-line')).toHaveCount(2);
  await expect(page.getByTestId('meter-left-flower')).toHaveText('8.00 g');
  // A line over the limit is refused with the reason (non-resident flower 15 g).
  await scanCode(page, '7194220405500248'); // 14 g
  await expect(page.getByTestId('refusal')).toContainText(/Refused: Gorilla Glue #4 Flower 14g/);
  await expect(page.getByTestId('refusal').getByRole('button', { name: 'Manager override' })).toHaveCount(0);
  await shot(page, 'checkout-ticket-refusal');
  await page.getByTestId('refusal').getByRole('button', { name: 'OK' }).click();

  const total = await page.getByTestId('ticket-total').innerText();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByLabel('Amount tendered').fill('200');
  await page.getByRole('button', { name: 'Cash', exact: true }).click();
  await expect(page.getByTestId('due')).toContainText('Change');
  await shot(page, 'checkout-payment');
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-total')).toHaveText(total);
  await expect(page.getByText(/Change due: \$/)).toBeVisible();
  await shot(page, 'checkout-receipt');
  // The customer left the queue.
  await go(page, 'Queue');
  await expect(page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry')).toHaveCount(0);
  // Reprint from the recent sales.
  await go(page, 'Register');
  await page.getByRole('button', { name: /#1 · Olivia Hart/ }).click();
  await expect(page.getByTestId('receipt')).toContainText('Receipt #1');
});

test('a medical sale made while BioTrack is down is kept, then posted once it is back', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const control = await admin(host());
  try {
    await control.faults({ rules: [{ action: '*', fault: 'offline', times: 0 }] });
    await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
    await go(page, 'Register');
    await page.getByLabel('Search customers').fill('rosa');
    await page.getByRole('button', { name: /Rosa Delgado/ }).click();
    await expect(page.getByTestId('ticket-customer')).toHaveText('Rosa Delgado');
    // The Purchase Allotment pop-up: Offline; the budtender confirms the medical ID and types the allotment.
    const dialog = page.getByTestId('allotment-dialog');
    await expect(dialog.getByText('Offline', { exact: true })).toBeVisible();
    await dialog.getByLabel('Confirm the medical ID').fill('MP7K2Q9X4D');
    await dialog.getByLabel('A wrong medical ID makes the sale fail to post to the state system.').check();
    await dialog.getByLabel(/Too high an allotment may let the sale exceed/).check();
    await dialog.getByLabel('Allotment in grams').fill('70.87');
    await dialog.getByRole('button', { name: 'Use this allotment' }).click();
    await scanCode(page, '7194220405500359'); // Sour Diesel 28 g (medical)
    await expect(page.getByTestId('meter-left-usable_cannabis')).toHaveText('42.87 g');
    await shot(page, 'checkout-medical-offline');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Debit', exact: true }).click();
    await page.getByRole('button', { name: 'Complete sale' }).click();
    await expect(page.getByTestId('receipt-trace')).toContainText(/queued|pending|in_flight|unknown/);
    await shot(page, 'checkout-medical-receipt-offline');

    await control.faults({ clear: true });
    await expect
      .poll(async () => (await control.ask<{ counts: { acknowledged: number } }>('trace.sync.status', {})).value?.counts.acknowledged ?? 0, { timeout: 60_000 })
      .toBe(1);
    await page.getByRole('button', { name: 'New sale' }).click();
    // Sale numbers follow the file's earlier test: find Rosa's by name.
    await page.getByRole('button', { name: /#\d+ · Rosa Delgado/ }).click();
    await expect(page.getByTestId('receipt-trace')).toContainText('reported');
  } finally {
    control.close();
  }
});
