/**
 * First run from an empty data folder: the setup screen, never a store with known PINs. Set up
 * my store → connect track-and-trace (or later) → log in as the new admin → add an employee →
 * the employee logs in with the given PIN and must choose their own. And the demo choice, with
 * its banner on every screen.
 */
import { expect, test, type Page } from '@playwright/test';
import { startHost, type RunningHost } from './host';
import { expectLoginScreen, expectShell, shot, typePin } from './screens';

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.stop();
  host = null;
});

async function go(page: Page, section: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section }).click();
}

test('set up my store, then its admin adds an employee who chooses their own PIN', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  host = await startHost({ newStore: 'setup' });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Welcome to Dispensary Register' })).toBeVisible();
  // No login screen, no demo banner: nobody's PIN works before a store exists.
  await expect(page.getByRole('heading', { name: 'Log in' })).toHaveCount(0);
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await shot(page, 'setup-welcome');

  await page.getByRole('button', { name: 'Set up my store' }).click();
  await expect(page.getByRole('heading', { name: 'Set up your store' })).toBeVisible();
  await page.getByLabel('State').selectOption({ label: 'California' });
  await page.getByLabel('Store name (on receipts)').fill('Sunset Greens');
  await page.getByLabel('Licence number').fill('C10-0000123-LIC');
  await page.getByLabel('Time zone').selectOption('America/Los_Angeles');
  // California leaves both rates to the store: nothing is prefilled.
  await expect(page.getByLabel('Sales and use tax rate (%)')).toHaveValue('');
  // A rate with three decimals (8.625%) is taken as typed.
  await page.getByLabel('Sales and use tax rate (%)').fill('8.625');
  await page.getByLabel('Name', { exact: true }).fill('Olga Owner');
  await page.getByLabel('PIN (4 to 8 digits)').fill('1234');
  await page.getByLabel('PIN again').fill('1234');
  await page.getByRole('button', { name: 'Set up my store' }).click();
  // The local cannabis tax is still empty.
  await expect(page.getByRole('alert')).toContainText('Local cannabis tax: Enter a rate');
  await page.getByLabel('Local cannabis tax rate (%)').fill('5');
  await shot(page, 'setup-store');
  await page.getByRole('button', { name: 'Set up my store' }).click();
  // A PIN anyone could guess is refused.
  await expect(page.getByRole('alert')).toContainText('This PIN cannot be used');
  await page.getByLabel('PIN (4 to 8 digits)').fill('4862');
  await page.getByLabel('PIN again').fill('4862');
  await page.getByRole('button', { name: 'Set up my store' }).click();

  // Track-and-trace: the providers the register knows, and a connection test.
  await expect(page.getByRole('heading', { name: 'Connect track-and-trace' })).toBeVisible();
  const trace = page.getByTestId('trace-settings');
  await expect(trace.getByLabel('Provider').locator('option')).toContainText(['None (do not report)', 'BioTrack', 'Metrc']);
  await trace.getByLabel('Provider').selectOption({ label: 'Metrc' });
  await trace.getByRole('button', { name: 'Test connection' }).click();
  // Nothing filled in yet: the test says what is missing instead of connecting.
  await expect(page.getByTestId('trace-settings-message')).toHaveText(/\S/);
  await shot(page, 'setup-trace');
  await page.getByRole('button', { name: 'Finish and go to the login screen' }).click();

  // Log in as the new admin; the demo PINs do not work.
  await expectLoginScreen(page);
  await expect(page.getByRole('status').filter({ hasText: 'Your store is ready' })).toBeVisible();
  await typePin(page, '3333');
  await expect(page.getByRole('alert')).toContainText('That PIN is not right');
  await typePin(page, '4862');
  await expectShell(page, 'Olga Owner');
  await expect(page.locator('.brand')).toHaveText('Sunset Greens');

  // Settings › Store shows the rates; Settings › Employees adds Bea.
  await go(page, 'Settings');
  const store = page.getByTestId('store-settings');
  await expect(store.getByTestId('rate-current-tax.rates.ca_sales_and_use')).toHaveText('8.625%');
  await expect(store.getByTestId('rate-current-tax.rates.ca_local_cannabis')).toHaveText('5%');
  // The city raises its cannabis tax next year: entered now, from that date.
  const nextYear = `${new Date().getUTCFullYear() + 1}-01-01`;
  const localRow = store.getByRole('row').filter({ hasText: 'Local cannabis tax' });
  await localRow.getByRole('button', { name: 'New rate' }).click();
  await localRow.getByLabel('Local cannabis tax rate (%)').fill('10.25');
  await localRow.getByLabel('Local cannabis tax from').fill(nextYear);
  await localRow.getByRole('button', { name: 'Save rate' }).click();
  await expect(localRow.getByRole('status')).toContainText(`10.25% from ${nextYear} saved.`);
  await expect(localRow).toContainText(`10.25% from ${nextYear}`);
  // Today's rate is still the old one.
  await expect(store.getByTestId('rate-current-tax.rates.ca_local_cannabis')).toHaveText('5%');
  await store.scrollIntoViewIfNeeded();
  await shot(page, 'settings-store-rates');
  const employees = page.getByTestId('employees');
  await employees.getByRole('button', { name: 'Add employee' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Bea Budtender');
  await dialog.getByLabel('Role').selectOption('budtender');
  await expect(dialog.getByLabel('Sell')).toBeChecked();
  await expect(dialog.getByLabel('Manager Override (approve others’ actions)')).not.toBeChecked();
  await dialog.getByLabel('Temporary PIN (4 to 8 digits)').fill('4862');
  await dialog.getByLabel('Temporary PIN again').fill('4862');
  await dialog.getByRole('button', { name: 'Add employee' }).click();
  // Olga's own PIN: refused without saying whose it is.
  await expect(dialog.getByRole('alert')).toHaveText(/This PIN cannot be used/);
  await expect(dialog.getByRole('alert')).not.toContainText('Olga');
  await dialog.getByLabel('Temporary PIN (4 to 8 digits)').fill('7391');
  await dialog.getByLabel('Temporary PIN again').fill('7391');
  await shot(page, 'settings-employee-add');
  await dialog.getByRole('button', { name: 'Add employee' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const bea = employees.getByTestId('employee-row').filter({ hasText: 'Bea Budtender' });
  await expect(bea).toContainText('Chooses a PIN at next login');
  await shot(page, 'settings-employees');
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('button', { name: 'Switch employee' }).click();

  // Bea logs in with the given PIN and must choose her own.
  await expectLoginScreen(page);
  await typePin(page, '7391');
  await expect(page.getByRole('heading', { name: 'Choose your own PIN' })).toBeVisible();
  await expect(page.getByText('Welcome, Bea Budtender.')).toBeVisible();
  await shot(page, 'login-choose-pin');
  await expect(page.getByLabel('Choose your new PIN')).toBeFocused();
  await page.keyboard.type('1111');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Type your new PIN again')).toBeFocused();
  await page.keyboard.type('1111');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').first()).toContainText('This PIN cannot be used');
  await expect(page.getByLabel('Choose your new PIN')).toBeFocused();
  await page.keyboard.type('5072');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Type your new PIN again')).toBeFocused();
  await page.keyboard.type('5072');
  await page.keyboard.press('Enter');
  await expectShell(page, 'Bea Budtender');

  // The given PIN no longer works; her own does.
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('button', { name: 'Switch employee' }).click();
  await typePin(page, '7391');
  await expect(page.getByRole('alert')).toContainText('That PIN is not right');
  await typePin(page, '5072');
  await expectShell(page, 'Bea Budtender');
});

test('open the demo store: the banner is on every screen', async ({ page }) => {
  host = await startHost({ newStore: 'setup' });
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Demo: Oklahoma' }).click();
  await expectLoginScreen(page);
  const banner = page.getByTestId('demo-banner');
  await expect(banner).toContainText('Demo store');
  await shot(page, 'setup-demo-login');
  await typePin(page, '3333');
  await expectShell(page, 'Ada Admin');
  await expect(page.locator('.brand')).toHaveText('Red Dirt Wellness');
  for (const section of ['Customers', 'Queue', 'Register', 'Till', 'Products', 'Sync', 'Settings']) {
    await go(page, section);
    await expect(banner).toBeVisible();
  }
  await shot(page, 'setup-demo-settings');
});

test('--demo IL opens the Illinois demo directly', async ({ page }) => {
  host = await startHost({ newStore: 'IL' });
  await page.goto(host.url);
  await expectLoginScreen(page);
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await typePin(page, '1111');
  await expectShell(page, 'Bea Budtender');
});
