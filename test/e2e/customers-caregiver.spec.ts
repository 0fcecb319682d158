/**
 * A caregiver with two patients, in an Oklahoma store (cap 5): the demo store is switched to the
 * Oklahoma rules between two starts of the host on the same data folder.
 */
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, startHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

let host: RunningHost | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-caregiver-'));

test.beforeAll(async () => {
  const first = await startHost({ dataDir });
  await first.stop();
  const sqlite = new Database(join(dataDir, 'register.sqlite'));
  sqlite.prepare("UPDATE settings SET value = '\"OK\"' WHERE key = 'store.jurisdiction'").run();
  sqlite.close();
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a caregiver with two patients; removing one asks first; patients never appear in search', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1100 });
  await logIn(page, host!.url, demo.manager.pin, demo.manager.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search', { exact: true }).fill('alvarez');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Henry Alvarez/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Henry Alvarez' })).toBeVisible();
  const panel = page.getByRole('region', { name: /Caregiver-patients/ });

  for (const [first, last, licence] of [['Paula', 'Patient', 'PAAA-1111-2222'], ['Peter', 'Patient', 'PAAA-3333-4444']] as const) {
    await panel.getByRole('button', { name: '+ Add patient' }).click();
    await panel.getByLabel('Patient first name').fill(first);
    await panel.getByLabel('Patient last name').fill(last);
    await panel.getByLabel('Medical licence number').fill(licence);
    await panel.getByLabel('Licence expiration').fill('06302029');
    await panel.getByLabel('Licence expiration').press('Enter');
    if (first === 'Paula') {
      // Peter is left without a birth date: the list says he cannot buy until one is entered.
      await panel.getByLabel('Patient birth date').fill('04021990');
      await panel.getByLabel('Patient birth date').press('Enter');
    }
    await panel.getByRole('button', { name: 'Save patient' }).click();
    await expect(panel.getByRole('list', { name: 'Caregiver-patients' })).toContainText(`${first} ${last}`);
  }
  await expect(panel.getByRole('heading', { name: 'Caregiver-patients (2 of 5)' })).toBeVisible();
  await expect(panel.getByRole('listitem').filter({ hasText: 'Paula Patient' })).toContainText('born 04/02/1990');
  await expect(panel.getByRole('listitem').filter({ hasText: 'Peter Patient' })).toContainText('no birth date: cannot buy until entered');
  await shot(page, 'customers-caregiver');

  await panel.getByRole('listitem').filter({ hasText: 'Peter Patient' }).getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Are you sure you want to remove this caregiver-patient record?');
  await shot(page, 'customers-caregiver-remove');
  await dialog.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(panel.getByRole('heading', { name: 'Caregiver-patients (1 of 5)' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText('Caregiver-patient removed: Peter Patient');

  await page.getByRole('button', { name: '← Back' }).click();
  await page.getByLabel('Search', { exact: true }).fill('patient');
  await expect(page.getByRole('status').filter({ hasText: 'No customer found.' })).toBeVisible();
});
