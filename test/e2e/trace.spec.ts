import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('Sync: a reported sale, a refused one dismissed with a manager approval', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1100 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Sync');
  await expect(page.getByTestId('sync-summary')).toContainText('Online', { timeout: 15_000 });

  // A sale for an active card is reported; one for an expired card is refused by the state.
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  const table = page.getByTestId('sync-table');
  await expect(table.getByText('Reported')).toBeVisible({ timeout: 15_000 });
  await page.getByLabel('Demo patient card (optional)').fill('MP5T2J8K1Z');
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  await expect(table.getByText('Refused by the state')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('sync-attention')).toHaveText('1');
  await expect(page.getByTestId('status-trace')).toContainText('online');
  await shot(page, 'trace-sync-list');

  // Needs attention shows only the refused one; its detail says why.
  await page.getByRole('button', { name: /Needs attention/ }).click();
  await expect(table.getByRole('row')).toHaveCount(2); // header + one sale
  await table.getByText('Refused by the state').click();
  const detail = page.getByTestId('sync-detail');
  await expect(detail).toContainText('The card has expired.');
  await shot(page, 'trace-sync-rejected-detail');

  // A budtender may not dismiss it alone: a manager approves with their PIN.
  await detail.getByRole('button', { name: /Dismiss/ }).click();
  await page.getByLabel('Why (kept in the audit log)').fill('Card expired; patient told to renew');
  await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Manager approval' })).toBeVisible();
  await page.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');
  await expect(page.getByText('Dismissed: it will not be reported.')).toBeVisible();
  await page.getByRole('button', { name: 'Dismissed', exact: true }).click();
  await expect(table.getByText('Dismissed')).toBeVisible();
  await table.getByRole('row').nth(1).click();
  await expect(detail).toContainText(`approved by ${demo.manager.name}`);
  await shot(page, 'trace-sync-dismissed');
});

test('Settings › Track & Trace: the demo sandbox, test connection, password never shown', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Settings');
  const panel = page.getByTestId('trace-settings');
  await expect(panel.getByLabel('Provider')).toHaveValue('biotrack_v1');
  await expect(panel.getByLabel('Password')).toHaveValue('');
  await expect(panel.getByLabel('Password')).toHaveAttribute('placeholder', 'saved (type to replace)');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Connected to BioTrack');
  await panel.getByLabel('Password').fill('wrong-password');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('refused the login');
  await panel.getByLabel('Password').fill('');
  await panel.getByLabel('Training mode (BioTrack records nothing for real)').check();
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Saved');
  await panel.scrollIntoViewIfNeeded();
  await shot(page, 'trace-settings');
});
