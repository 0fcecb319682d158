/**
 * Settings › Track & Trace: the Illinois demo store switches to Metrc (the demo store's Metrc
 * sandbox, facility licence, vendor and user keys never shown again), and the Sync screen shows a
 * reported sale with its Metrc receipt id. Screenshots kept in docs/screens/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

const host = useHost();

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function keep(page: Page, name: string): Promise<void> {
  await shot(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

test('a store switched to Metrc in Settings reports a sale; the Sync screen shows its Metrc id', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1400, height: 1300 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Settings');
  const panel = page.getByTestId('trace-settings');
  await panel.getByLabel('Provider').selectOption('metrc_v2');
  await panel.getByTestId('metrc-use-sandbox').check();
  const harness = /\((http:\/\/127\.0\.0\.1:\d+)\)/.exec(await panel.getByText("Use the demo store's Metrc sandbox").innerText())![1]!;
  await panel.getByLabel('Facility licence number').fill('DEMO-IL-DISP-0100');
  await panel.getByLabel('Vendor API key').fill('demo-vendor-key');
  await panel.getByLabel('User API key').fill('not-the-key');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Metrc refused the credentials');
  await panel.getByLabel('User API key').fill('demo-user-key-il');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Connected to Metrc');
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Saved');
  // The keys are never shown again.
  await expect(panel.getByLabel('User API key')).toHaveValue('');
  await expect(panel.getByLabel('User API key')).toHaveAttribute('placeholder', 'saved (type to replace)');
  await panel.scrollIntoViewIfNeeded();
  await keep(page, 'trace-settings-metrc');

  await go(page, 'Sync');
  await expect(page.getByTestId('sync-summary')).toContainText('Metrc');
  await expect(page.getByTestId('sync-summary')).toContainText('Online', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  const table = page.getByTestId('sync-table');
  await expect(table.getByRole('columnheader', { name: 'Metrc id' })).toBeVisible();
  await expect(table.getByText('Reported')).toBeVisible({ timeout: 15_000 });
  // The id shown is the receipt Metrc holds for this sale, under the outbox row's number.
  const row = table.getByRole('row').nth(1);
  const shown = (await row.getByRole('cell').nth(await idColumn(page)).innerText()).trim();
  const state = (await (await fetch(`${harness}/__state`)).json()) as { receipts: Array<{ Id: number; ExternalReceiptNumber: string }> };
  expect(state.receipts).toHaveLength(1);
  expect(shown).toBe(String(state.receipts[0]!.Id));
  await row.click();
  const detail = page.getByTestId('sync-detail');
  await expect(detail).toContainText('Metrc receipt');
  await expect(detail).toContainText(shown);
  await keep(page, 'trace-sync-metrc');
});

/** The position of the "Metrc id" column in the Sync table. */
async function idColumn(page: Page): Promise<number> {
  const headers = await page.getByTestId('sync-table').getByRole('columnheader').allInnerTexts();
  return headers.findIndex((text) => text.trim() === 'Metrc id');
}
