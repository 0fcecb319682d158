/**
 * First run from an empty data folder to the first sale, entirely on screen: set up an Illinois
 * store (its admin and PIN, the local tax rates) and connect it to a BioTrack sandbox started on
 * 127.0.0.1 for this test (no demo data anywhere); log in; add an employee; add a product; receive
 * its package from BioTrack; sign a customer up and check them in; the employee sells. Screenshots
 * in docs/screens/.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startHost, type RunningHost } from './host';
import { expectLoginScreen, expectShell, screenshotDir, shot, typePin } from './screens';

let host: RunningHost | null = null;
let sandbox: ChildProcess | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((resolve) => sandbox!.once('exit', resolve));
    sandbox.kill('SIGTERM');
    await exited;
  }
  sandbox = null;
});

/** The BioTrack sandbox on its own (npm run sandbox:biotrack), on a free port: its serverjson.asp address. */
async function startSandbox(): Promise<string> {
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), [join(repoRoot, 'main/trace/biotrack/sandbox/cli.ts'), '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sandbox = child;
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the BioTrack sandbox did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /BioTrack sandbox ready: (http:\/\/127\.0\.0\.1:\d+\/serverjson\.asp)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the BioTrack sandbox exited (${code}): ${out}`)));
  });
}

async function docShot(page: Page, name: string): Promise<void> {
  await shot(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function go(page: Page, section: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
}

test('first run from an empty data folder to the first sale: setup, employee, product, stock received, check-in, sale', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1400, height: 1100 });
  const biotrack = await startSandbox();
  host = await startHost({ newStore: 'setup' });
  await page.goto(host.url);

  // Set up my store: Illinois, its name and licence, the local tax rates, the first admin.
  await page.getByRole('button', { name: 'Set up my store' }).click();
  await expect(page.getByRole('heading', { name: 'Set up your store' })).toBeVisible();
  await page.getByLabel('State').selectOption({ label: 'Illinois' });
  await page.getByLabel('Store name (on receipts)').fill('Lakeside Cannabis Co.');
  await page.getByLabel('Licence number').fill('284.000123');
  await page.getByLabel('Time zone').selectOption('America/Chicago');
  for (const rate of await page.getByLabel(/ rate \(%\)$/).all()) {
    if ((await rate.inputValue()) === '') await rate.fill('1.25');
  }
  await page.getByLabel('Name', { exact: true }).fill('Rosa Owner');
  await page.getByLabel('PIN (4 to 8 digits)').fill('4862');
  await page.getByLabel('PIN again').fill('4862');
  await docShot(page, 'first-run-setup');
  await page.getByRole('button', { name: 'Set up my store' }).click();

  // Track-and-trace: the store's BioTrack account (here the sandbox), tested, saved.
  await expect(page.getByRole('heading', { name: 'Connect track-and-trace' })).toBeVisible();
  const trace = page.getByTestId('trace-settings');
  await trace.getByTestId('trace-provider').selectOption('biotrack_v1');
  await trace.getByLabel('BioTrack address').fill(biotrack);
  await trace.getByLabel('Company licence number').fill('DEMO-600100200');
  await trace.getByLabel('Location (6 digits)').fill('600100');
  await trace.getByLabel('Username').fill('demo.register');
  await trace.getByLabel('Password').fill('demo-sandbox-password');
  await trace.getByLabel('Terminal id').fill('1');
  await trace.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Connected to BioTrack');
  await trace.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('trace-settings-message')).toHaveText(/saved/i);
  await page.getByRole('button', { name: 'Finish and go to the login screen' }).click();

  // The admin logs in (no demo PIN works) and adds an employee.
  await expectLoginScreen(page);
  await typePin(page, '4862');
  await expectShell(page, 'Rosa Owner');
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await go(page, 'Settings');
  const employees = page.getByTestId('employees');
  await employees.getByRole('button', { name: 'Add employee' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Ben Budtender');
  await dialog.getByLabel('Role').selectOption('budtender');
  await dialog.getByLabel('Temporary PIN (4 to 8 digits)').fill('7391');
  await dialog.getByLabel('Temporary PIN again').fill('7391');
  await dialog.getByRole('button', { name: 'Add employee' }).click();
  await expect(employees.getByTestId('employee-row').filter({ hasText: 'Ben Budtender' })).toBeVisible();

  // A product, then its package from BioTrack.
  await go(page, 'Products');
  await expect(page.getByRole('table', { name: 'Products' })).toHaveCount(1);
  await expect(page.getByText('No products yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add product' }).click();
  const editor = page.getByRole('form', { name: 'New product' });
  await editor.getByLabel('Name').fill('Sunset Sherbet Flower 3.5g');
  await editor.getByLabel('Category').selectOption('flower');
  await editor.getByLabel('Price ($)').fill('40.00');
  await editor.getByLabel(/Usable weight/).fill('3.5');
  await editor.getByLabel(/Unit weight/).fill('3.5');
  await editor.getByLabel(/THC/).fill('21.5');
  await editor.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('region', { name: 'Sunset Sherbet Flower 3.5g' }).getByTestId('ct-on-hand')).toHaveText('0');
  await page.getByRole('tab', { name: 'Receive stock' }).click();
  const packages = page.getByRole('table', { name: 'Packages' });
  await page.getByLabel('Product for package 7194220405502001').selectOption({ label: 'Sunset Sherbet Flower 3.5g' });
  await page.getByLabel('Quantity of package 7194220405502001').fill('20');
  await packages.getByRole('row', { name: /7194220405502001/ }).getByRole('button', { name: 'Receive' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Received 20 of package 7194220405502001' })).toBeVisible();
  await page.getByRole('heading', { name: 'Receive stock from BioTrack' }).scrollIntoViewIfNeeded();
  await docShot(page, 'first-run-received');

  // The employee logs in (choosing their own PIN), signs a customer up and checks them in.
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('button', { name: 'Switch employee' }).click();
  await expectLoginScreen(page);
  await typePin(page, '7391');
  await expect(page.getByRole('heading', { name: 'Choose your own PIN' })).toBeVisible();
  await expect(page.getByLabel('Choose your new PIN')).toBeFocused();
  await page.keyboard.type('5273');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Type your new PIN again')).toBeFocused();
  await page.keyboard.type('5273');
  await page.keyboard.press('Enter');
  await expectShell(page, 'Ben Budtender');

  await go(page, 'Customers');
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Maya');
  await page.getByLabel('Last name').fill('Fields');
  await page.getByLabel('Birth date').fill('06/15/1988');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByLabel('Identification expiration').fill('06/15/2031');
  await page.getByLabel('Identification expiration').press('Enter');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Maya Fields' })).toBeVisible();

  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('maya');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Maya Fields/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  await page.getByRole('button', { name: /Open Maya Fields's ticket at the Register/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Maya Fields');

  // The first sale.
  const scan = page.getByTestId('scan-field');
  await scan.fill('7194220405502001');
  await scan.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  const total = await page.getByTestId('ticket-total').innerText();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByLabel('Amount tendered').fill('100');
  await page.getByRole('button', { name: 'Cash', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-total')).toHaveText(total);
  await expect(page.getByTestId('receipt')).toContainText('Lakeside Cannabis Co.');
  await docShot(page, 'first-run-first-sale');

  // The stock went down by the one sold.
  await go(page, 'Products');
  await page.getByRole('table', { name: 'Products' }).getByRole('button', { name: 'Sunset Sherbet Flower 3.5g' }).click();
  await expect(page.getByRole('region', { name: 'Sunset Sherbet Flower 3.5g' }).getByTestId('ct-on-hand')).toHaveText('19');
});
