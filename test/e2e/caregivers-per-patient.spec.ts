/**
 * An Illinois patient with three caregivers (the jurisdiction file's cap): chosen on the profile
 * form, shown on the profile; a 4th is refused in words (Chromium, Illinois demo store, with one
 * more caregiver signed up in the database before the host starts).
 */
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, startHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

let host: RunningHost | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-caregivers-'));

test.beforeAll(async () => {
  const first = await startHost({ dataDir });
  await first.stop();
  const sqlite = new Database(join(dataDir, 'register.sqlite'));
  sqlite
    .prepare(
      `INSERT INTO customers (id, customer_type, first_name, last_name, date_of_birth, identification_expires, caregiver_id, caregiver_id_expires,
                              created_at, updated_at, caregiver_licence, adult_use)
       VALUES ('01JCAREGIVERIVY0000000000', 'caregiver', 'Ivy', 'Carter', '1979-02-02', '2031-02-02', 'CG2K4M6P8R', '2030-02-02', 1, 1, 1, 0)`,
    )
    .run();
  sqlite.close();
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('an Illinois patient keeps up to 3 caregivers; a 4th is refused with what to do', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1200 });
  await logIn(page, host!.url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search', { exact: true }).fill('okafor');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Samuel Okafor/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Samuel Okafor' })).toBeVisible();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();

  await page.getByLabel('Caregiver (customers of type Caregiver)').selectOption({ label: 'Grace Chen (CG4M7P2W9Q)' });
  await page.getByRole('button', { name: '+ Add another caregiver' }).click();
  await page.getByLabel('Caregiver 2').selectOption({ label: 'Henry Alvarez (CG8B3N6X5R)' });
  await page.getByRole('button', { name: '+ Add another caregiver' }).click();
  // A caregiver already chosen is not offered again.
  await expect(page.getByLabel('Caregiver 3').locator('option', { hasText: 'Grace Chen' })).toHaveCount(0);
  await page.getByLabel('Caregiver 3').selectOption({ label: 'Ivy Carter (CG2K4M6P8R)' });
  await expect(page.getByText('Illinois: up to 3 caregivers per patient.')).toBeVisible();

  await page.getByRole('button', { name: '+ Add another caregiver' }).click();
  await expect(page.getByRole('alert')).toHaveText('Illinois allows at most 3 caregivers per patient: remove one before adding another.');
  await expect(page.getByLabel('Caregiver 4')).toHaveCount(0);
  await shot(page, 'customers-caregivers-per-patient');

  await page.getByRole('button', { name: 'Save & Back' }).click();
  await page.getByLabel('Search', { exact: true }).fill('okafor');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Samuel Okafor/ }).click();
  const caregivers = page.getByRole('definition').filter({ hasText: 'Grace Chen' });
  await expect(caregivers).toHaveText('Grace Chen, Henry Alvarez, Ivy Carter');

  // Each caregiver on the profile opens their own.
  await page.getByRole('button', { name: 'Ivy Carter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ivy Carter' })).toBeVisible();
});
