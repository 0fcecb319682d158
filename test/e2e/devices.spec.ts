/**
 * Devices in the running register: an admin adds a keyboard-wedge scanner in Settings > Devices,
 * then a licence is typed at scanner speed (control characters as Ctrl+key, as wedge scanners
 * send them): the core recognises it, the register switches to Customers (intake) and shows the
 * last scan; a product barcode goes to the Register screen; a fast burst nothing can use gets a
 * clear banner; a person typing is left alone. The test panel shows the raw bytes made visible.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demo, repoRoot, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();
const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/VA-v08-1.txt'), 'latin1');

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Types like a keyboard-wedge scanner: no pause between keys, control characters as Ctrl+key. */
async function scannerTypes(page: Page, text: string): Promise<void> {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char === '\r') await page.keyboard.press('Enter');
    else if (code === 0x1e) await page.keyboard.press('Control+Shift+Digit6');
    else if (code < 0x20) await page.keyboard.press(`Control+Key${String.fromCharCode(code + 0x40)}`);
    else await page.keyboard.type(char);
  }
}

test('a licence typed at scanner speed reaches intake; a product goes to the ticket; junk gets a banner', async ({ page }) => {
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Settings');
  const add = page.getByRole('region', { name: 'Add a device' });
  await add.getByLabel('Name').fill('Front scanner');
  await add.getByLabel('Connection').selectOption('keyboard');
  await add.getByLabel('Keys at most this far apart (ms)').fill('80');
  await add.getByRole('button', { name: 'Add device' }).click();
  const row = page.getByTestId('devices-table').getByRole('row', { name: /Front scanner/ });
  await expect(row).toContainText('connected');
  await expect(page.getByTestId('status-devices')).toContainText('Front scanner connected');

  // Test panel: a scan while Settings is open stays here and shows its raw bytes.
  await page.getByRole('heading', { level: 1, name: 'Settings' }).click();
  await scannerTypes(page, '012345678905\r');
  await expect(row.getByTestId('recognised-as')).toContainText('product 012345678905 (UPC-A)');
  await expect(row.getByTestId('raw-bytes')).toHaveText('012345678905⟨CR⟩');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await shot(page, 'devices-settings');

  await go(page, 'Queue');
  await page.getByRole('heading', { level: 1, name: 'Queue' }).click();
  await scannerTypes(page, licence);
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(page.getByTestId('last-scan')).toContainText('Licence: MICHAEL SAMPLE');
  // The last scan sits in the status bar, in the flow, so it never covers a control.
  await expect(page.locator('footer.statusbar').getByTestId('last-scan')).toBeVisible();

  await scannerTypes(page, '012345678905\r');
  await expect(page.getByRole('heading', { level: 1, name: 'Register' })).toBeVisible();
  await expect(page.getByTestId('last-scan')).toContainText('Product 012345678905');

  // A fast burst nothing can use: a clear message on screen.
  await scannerTypes(page, '012345678906\r');
  const banner = page.getByTestId('scan-problem');
  await expect(banner).toContainText('check digit is wrong): scan it again');
  await expect(banner).toContainText('012345678906⟨CR⟩');
  await shot(page, 'devices-scan-problem');
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);

  // A person typing a valid code is not a scan: nothing changes.
  await go(page, 'Queue');
  await page.getByRole('heading', { level: 1, name: 'Queue' }).click();
  for (const char of '4006381333931') await page.keyboard.type(char, { delay: 140 });
  await page.waitForTimeout(600);
  await expect(page.getByTestId('last-scan')).toContainText('Scan not recognised');
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
});
