/**
 * A day at the till in Chromium against the browser host, with a fake ESC/POS network printer on
 * 127.0.0.1: the admin adds the receipt printer in Settings › Devices and prints a test page; the
 * drawer opens with a counted float; a cash sale prints its receipt and kicks the drawer once, and
 * the status bar shows the drawer open until it is shut (the printer's drawer signal); a drop; the X report; the drawer closes with a count; the Z report is made and printed.
 */
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakePrinter } from '../support/fake-printer';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir, shot as take } from './screens';

/** A screenshot kept in docs/screens/ as well as test/e2e/screenshots/. */
async function shot(page: Page, name: string): Promise<void> {
  await take(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

const host = useHost();
let printer: FakePrinter;
test.beforeAll(async () => {
  printer = await new FakePrinter().start();
});
test.afterAll(async () => {
  await printer.stop();
});

async function go(page: Page, section: 'Register' | 'Till' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
}

async function scanCode(page: Page, code: string): Promise<void> {
  const field = page.getByTestId('scan-field');
  await field.fill(code);
  await field.press('Enter');
}

test('open the drawer, sell, drop, X report, close with a count, Z report: receipts and reports come out of the printer', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);

  // Settings › Devices: the receipt printer beside the scanners.
  await go(page, 'Settings');
  const add = page.getByRole('form', { name: 'Add a receipt printer' });
  await add.getByLabel('Printer name').fill('Front counter');
  await add.getByLabel('Printer connection').selectOption('tcp');
  await add.getByLabel('Address', { exact: true }).fill('127.0.0.1');
  await add.getByLabel('Port', { exact: true }).fill(String(printer.port));
  await add.getByRole('button', { name: 'Add printer' }).click();
  const row = page.getByTestId('printers-table').getByRole('row', { name: /Front counter/ });
  await expect(row.getByRole('radio', { name: 'Print receipts on Front counter' })).toBeChecked();
  // This drawer's switch reads high while it is open.
  await row.getByLabel('Cash drawer switch on Front counter').selectOption('high');
  await expect(row.getByLabel('Cash drawer switch on Front counter')).toHaveValue('high');
  printer.drawerFollowsPulse = true;
  await row.getByRole('button', { name: 'Test print' }).click();
  await expect.poll(() => printer.jobs.length).toBe(1);
  expect(printer.jobs[0]!.decoded.lines.join('\n')).toContain('Test page');
  await expect(page.getByTestId('status-printer')).toContainText('Front counter ready');
  await expect(page.getByTestId('status-drawer')).toHaveText('Cash drawer: closed');
  await page.getByRole('region', { name: 'Receipt printers' }).scrollIntoViewIfNeeded();
  await shot(page, 'till-devices-printers');

  // Open the drawer with a counted float: 5 × $20 and 20 × $1 = $120.00.
  await go(page, 'Till');
  await expect(page.getByRole('heading', { level: 1, name: 'Till' })).toBeVisible();
  await page.getByLabel('$20 count').fill('5');
  await page.getByLabel('$1 count').fill('20');
  await expect(page.getByTestId('count-total')).toHaveText('$120.00');
  await shot(page, 'till-open-count');
  await page.getByRole('button', { name: 'Open drawer' }).click();
  await expect(page.getByRole('heading', { name: 'Drawer open' })).toBeVisible();

  // Sell for cash on the Register screen: the receipt prints with one drawer pulse.
  await go(page, 'Register');
  await page.getByLabel('Search customers').fill('olivia');
  await page.getByRole('button', { name: /Olivia Hart/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Olivia Hart');
  await scanCode(page, '7194220405500100');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  const total = await page.getByTestId('ticket-total').innerText();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByLabel('Amount tendered').fill('100');
  await page.getByRole('button', { name: 'Cash', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect.poll(() => printer.jobs.length).toBe(2);
  const receipt = printer.jobs[1]!.decoded;
  expect(receipt.lines.join('\n')).toMatch(/Prairie Sunset.*\$45\.00/);
  expect(receipt.lines.join('\n')).toContain(`TOTAL`);
  expect(receipt.lines.join('\n')).toContain(total);
  expect(receipt.pulses).toHaveLength(1);
  expect(receipt.barcodes).toHaveLength(1);
  // The printer reports the drawer open after the kick, and shut once it is pushed closed.
  await expect(page.getByTestId('status-drawer')).toHaveText('Cash drawer: open', { timeout: 15_000 });
  await shot(page, 'till-drawer-open');
  printer.drawerHigh = false;
  await expect(page.getByTestId('status-drawer')).toHaveText('Cash drawer: closed', { timeout: 15_000 });

  // A drop to the safe, then the X report.
  await go(page, 'Till');
  await page.getByLabel('What').selectOption('drop');
  await page.getByLabel('Amount ($)').fill('50');
  await page.getByLabel('Reason', { exact: true }).fill('To the safe');
  await page.getByRole('button', { name: 'Record' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Drop to the safe: $50.00 recorded.' })).toBeVisible();
  await expect(page.getByTestId('drawer-totals')).toContainText('Drops');
  await page.getByRole('button', { name: 'X report' }).click();
  await expect(page.getByTestId('report-text')).toContainText('X REPORT');
  await expect(page.getByTestId('report-text')).toContainText('Sales                                    1');
  await shot(page, 'till-x-report');

  // Close with a count that matches: the expected cash is float + sale − drop.
  const expected = 120 + Number(total.replace(/[^0-9.]/g, '')) - 50;
  await page.getByRole('button', { name: 'Close the drawer…' }).click();
  const dollars = Math.floor(expected);
  const cents = Math.round((expected - dollars) * 100);
  await page.getByLabel('$1 count').fill(String(dollars));
  await page.getByLabel('1¢ count').fill(String(cents));
  await shot(page, 'till-close-count');
  await page.getByRole('button', { name: 'Close drawer' }).click();
  await expect(page.getByTestId('closed-summary')).toContainText('balanced');

  // The Z report: made once, printed.
  await page.getByRole('button', { name: 'Z report' }).click();
  await expect(page.getByTestId('report-text')).toContainText('Z REPORT No. 1');
  await expect(page.getByTestId('report-text')).toContainText('Over/short');
  await page.getByRole('button', { name: 'Print', exact: true }).click();
  await expect.poll(() => printer.jobs.length).toBe(3);
  expect(printer.jobs[2]!.decoded.lines.join('\n')).toContain('Z REPORT No. 1');
  await shot(page, 'till-z-report');
  // One pulse in the whole day: the one cash sale.
  expect(printer.jobs.reduce((n, job) => n + job.decoded.pulses.length, 0)).toBe(1);

  // The roll runs out: the status bar says so and what to do.
  printer.state = 'paper_out';
  await go(page, 'Settings');
  await page.getByTestId('printers-table').getByRole('row', { name: /Front counter/ }).getByRole('button', { name: 'Check' }).click();
  await expect(page.getByTestId('status-printer')).toContainText('out of paper');
  await expect(page.getByTestId('status-printer')).toContainText('load a new roll');
  await shot(page, 'till-printer-paper-out');
});
