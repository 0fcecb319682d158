/**
 * Nothing internal reaches staff or receipts, in Chromium against the demo store (Illinois):
 * the receipt carries no research notes, Settings no talk of later work, the Devices panel says
 * what is wrong and what to do instead of a system error (the host runs without udevadm on its
 * PATH, as on a machine without udev), and the demo-sale button is for the demo store's admin only.
 */
import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { join } from 'node:path';
import { expectShell, logIn, screenshotDir, shot, typePin } from './screens';

// No udevadm on PATH: listing serial ports fails the way it does on a machine without udev.
const host = useHost({ env: { PATH: '/nonexistent-register-e2e-path' } });

const internal = /GUESS|confidence|\[[A-Z]{2}-\d+|later issue|arrives with|ENOENT|udevadm |spawn |libusb-1/;

async function go(page: Page, section: 'Queue' | 'Register' | 'Settings' | 'Sync'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
}

test('an Illinois receipt shows its excise and rounding in plain words, no research notes', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('olivia');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  await page.getByRole('button', { name: /Open Olivia Hart's ticket at the Register/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Olivia Hart');
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100'); // Prairie Sunset 3.5 g: flower, the Illinois excise applies
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByLabel('Amount tendered').fill('200');
  await page.getByRole('button', { name: 'Cash', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();

  const receipt = page.getByTestId('receipt');
  await expect(receipt).toBeVisible();
  await expect(receipt).toContainText('Cannabis Purchaser Excise Tax');
  await expect(receipt).toContainText("Each tax is worked out on each item's price after discounts and rounded to the nearest cent (half a cent rounds up).");
  expect(await receipt.innerText()).not.toMatch(internal);
  // The whole receipt, down to its rounding line (the page itself scrolls inside the shell).
  await receipt.screenshot({ path: join(screenshotDir, 'words-receipt.png') });
});

test('Settings and Devices: no talk of later work; a missing udev tool is explained with what to do', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Settings');
  await expect(page.getByRole('heading', { name: 'Plugged in now' })).toBeVisible();
  await page.getByRole('button', { name: 'Look for devices' }).click();
  const found = page.getByRole('region', { name: 'Plugged in now' });
  await expect(found.getByText(/^Serial ports could not be listed: this computer is missing the udev tool/)).toBeVisible();
  await expect(found).toContainText('sudo apt-get install udev');
  expect(await page.locator('main').innerText()).not.toMatch(internal);
  await found.scrollIntoViewIfNeeded();
  await shot(page, 'words-devices-no-udev');
});

test('the demo-sale button: the demo store admin sees it on Sync, a manager and a budtender do not', async ({ page }) => {
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Sync');
  await expect(page.getByRole('button', { name: 'Queue a demo medical sale' })).toBeVisible();

  for (const who of [demo.manager, demo.budtender]) {
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('button', { name: 'Switch employee' }).click();
    await typePin(page, who.pin);
    await expectShell(page, who.name);
    await go(page, 'Sync');
    await expect(page.getByTestId('sync-summary')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Queue a demo medical sale' })).toHaveCount(0);
  }
});
