/**
 * A caregiver at check-in (Chromium, Illinois demo store, the embedded BioTrack sandbox): checked
 * in for a patient kept on their profile, picked in the check-in (from the queue or the patient's
 * line on the caregiver's profile), the tile and the ticket then name the patient and carry their
 * allotment; a caregiver who holds their own patient card is checked in for themselves. Before the
 * host starts, Henry Alvarez gets a patient record (Paula) and Grace Chen her own patient card.
 */
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, startHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

let host: RunningHost | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-caregiver-checkin-'));

test.beforeAll(async () => {
  const first = await startHost({ dataDir });
  await first.stop();
  const sqlite = new Database(join(dataDir, 'register.sqlite'));
  const henry = (sqlite.prepare("SELECT id FROM customers WHERE first_name = 'Henry' AND last_name = 'Alvarez'").get() as { id: string }).id;
  sqlite
    .prepare(
      `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, date_of_birth, created_at, updated_at)
       VALUES ('01JPAULAPATIENT0000000000', ?, 'Paula', 'Patient', 'MP2J6N4Q8B', '2030-05-31', '1990-04-02', 1, 1)`,
    )
    .run(henry);
  sqlite.prepare("UPDATE customers SET medical_id = 'MP8C3Y5T1R', medical_id_expires = '2030-05-31' WHERE first_name = 'Grace' AND last_name = 'Chen'").run();
  sqlite.close();
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function go(page: Page, section: 'Queue' | 'Customers'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
}

async function checkInFromQueue(page: Page, search: string, name: RegExp): Promise<void> {
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill(search);
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name }).click();
}

test('a caregiver is checked in for a patient on their profile; the tile and the ticket name the patient, with their allotment', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host!.url, demo.budtender.pin, demo.budtender.name);

  // From the caregiver's profile: the patient's own Check in button opens the check-in with Paula chosen.
  await go(page, 'Customers');
  await page.getByLabel('Search', { exact: true }).fill('alvarez');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Henry Alvarez/ }).click();
  await page.getByRole('button', { name: 'Check in for Paula Patient' }).click();
  let dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('radio', { name: /Paula Patient/ })).toBeChecked();
  await expect(dialog.getByText('Caregiver for Paula Patient')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // From the queue: the caregiver's check-in asks who they buy for; Paula's allotment comes from the state system.
  await checkInFromQueue(page, 'alvarez', /Henry Alvarez/);
  dialog = page.getByRole('dialog');
  const buyingFor = dialog.getByRole('group', { name: 'Buying for' });
  await expect(buyingFor.getByRole('radio', { name: 'A patient chosen at the register' })).toBeChecked();
  await buyingFor.getByRole('radio', { name: /Paula Patient/ }).check();
  await expect(dialog.getByText('Caregiver for Paula Patient')).toBeVisible();
  await expect(dialog.locator('.source-mark')).toHaveText('BioTrack');
  await expect(dialog.getByRole('textbox').first()).toHaveValue('70.870');
  await shot(page, 'queue-caregiver-for-patient');
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);

  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Henry Alvarez' });
  await expect(tile).toContainText('Caregiver for Paula Patient');
  await expect(tile).toContainText('70.870 g');
  await shot(page, 'queue-caregiver-tile');

  await tile.getByRole('button', { name: "Open Henry Alvarez's ticket at the Register" }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Henry Alvarez');
  await expect(page.getByTestId('ticket-sub')).toContainText('Caregiver for Paula Patient');
  await expect(page.getByTestId('ticket-sub')).toContainText('Medical sale');
  await expect(page.getByRole('status').filter({ hasText: 'State system: 70.8700 g remaining' })).toBeVisible();
  await shot(page, 'register-caregiver-for-patient');
  await page.getByRole('button', { name: 'Discard ticket' }).click();
});

test('a caregiver with their own patient card is checked in for themselves: their own card and allotment', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host!.url, demo.budtender.pin, demo.budtender.name);
  await checkInFromQueue(page, 'grace', /Grace Chen/);
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('group', { name: 'Buying for' }).getByRole('radio', { name: 'Themselves, on their own patient card' }).check();
  await expect(dialog.getByText('Medical, for themselves')).toBeVisible();
  await expect(dialog.getByRole('textbox').first()).toHaveValue('70.870');
  await shot(page, 'queue-caregiver-for-themselves');
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);

  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Grace Chen' });
  await expect(tile).toContainText('Caregiver for themselves (medical)');
  await tile.getByRole('button', { name: "Open Grace Chen's ticket at the Register" }).click();
  const sub = page.getByTestId('ticket-sub');
  await expect(sub).toContainText('Caregiver buying for themselves');
  await expect(sub).toContainText('Medical sale');
  await expect(sub).toContainText('own patient card MP8C3Y5T1R');
  await expect(page.getByRole('group', { name: 'Patient' }).locator('.chosen')).toContainText('For themselves');
  await expect(page.getByRole('status').filter({ hasText: 'State system: 70.8700 g remaining' })).toBeVisible();
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100');
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await shot(page, 'register-caregiver-for-themselves');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toContainText('MP8C3Y5T1R');
});
