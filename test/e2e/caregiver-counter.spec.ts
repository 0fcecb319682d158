/**
 * Two caregiver cases at the counter (Chromium, Illinois demo store, the embedded BioTrack
 * sandbox). Before the host starts: Samuel Okafor (a customer with his own profile) names Henry
 * Alvarez as his caregiver, and Henry keeps Paula on his profile; Grace Chen's caregiver card
 * expired, and she holds her own patient card and adult-use status, with Lily (her patient).
 * - Henry's check-in lists both patients under Buying for; checked in for Samuel, the tile, the
 *   ticket and the receipt are Samuel's, on Samuel's allotment.
 * - Grace cannot buy for Lily (every screen says her caregiver card expired) but buys for herself
 *   as adult use. Screenshots in docs/screens/.
 */
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, repoRoot, startHost, type RunningHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

let host: RunningHost | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-caregiver-counter-'));
const LAPSED = "Grace Chen's caregiver card expired on 01/31/2024: they cannot buy for a patient until it is renewed";

test.beforeAll(async () => {
  const first = await startHost({ dataDir });
  await first.stop();
  const sqlite = new Database(join(dataDir, 'register.sqlite'));
  const id = (first: string, last: string) => (sqlite.prepare('SELECT id FROM customers WHERE first_name = ? AND last_name = ?').get(first, last) as { id: string }).id;
  const henry = id('Henry', 'Alvarez');
  const grace = id('Grace', 'Chen');
  sqlite.prepare('INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)').run(id('Samuel', 'Okafor'), henry);
  sqlite.prepare('INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, 1)').run(id('Lily', 'Chen'), grace);
  sqlite
    .prepare(
      `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, date_of_birth, created_at, updated_at)
       VALUES ('01JPAULAPATIENT0000000000', ?, 'Paula', 'Patient', 'MP2J6N4Q8B', '2030-05-31', '1990-04-02', 1, 1)`,
    )
    .run(henry);
  sqlite.prepare("UPDATE customers SET caregiver_id_expires = '2024-01-31', medical_id = 'MP8C3Y5T1R', medical_id_expires = '2030-05-31', adult_use = 1 WHERE id = ?").run(grace);
  sqlite.close();
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A screenshot kept in docs/screens/ (and test/e2e/screenshots/). */
async function keep(page: Page, name: string): Promise<void> {
  await shot(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function checkInFromQueue(page: Page, search: string, name: RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
  await page.getByLabel('Search by name').fill(search);
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name }).click();
}

test("a patient with a profile of their own is listed under Buying for beside the caregiver's own patients, and sold to on their allotment", async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host!.url, demo.budtender.pin, demo.budtender.name);
  await checkInFromQueue(page, 'alvarez', /Henry Alvarez/);
  const dialog = page.getByRole('dialog');
  const buyingFor = dialog.getByRole('group', { name: 'Buying for' });
  await expect(buyingFor.getByRole('radio', { name: /Samuel Okafor \(card MP3H8W1N6T, own profile\)/ })).toBeEnabled();
  await expect(buyingFor.getByRole('radio', { name: /Paula Patient \(card MP2J6N4Q8B\)/ })).toBeEnabled();

  // Paula (kept on Henry's profile) and Samuel (a customer of his own) each bring their own allotment from BioTrack.
  await buyingFor.getByRole('radio', { name: /Paula Patient/ }).check();
  await expect(dialog.getByText('Caregiver for Paula Patient')).toBeVisible();
  await expect(dialog.getByRole('textbox').first()).toHaveValue('70.870');
  await buyingFor.getByRole('radio', { name: /Samuel Okafor/ }).check();
  await expect(dialog.getByText('Caregiver for Samuel Okafor')).toBeVisible();
  await expect(dialog.locator('.source-mark')).toHaveText('BioTrack');
  await expect(dialog.getByRole('textbox').first()).toHaveValue('70.870');
  await dialog.getByRole('textbox').first().fill('50');
  await keep(page, 'queue-caregiver-for-customer-patient');
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);

  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Henry Alvarez' });
  await expect(tile).toContainText('Caregiver for Samuel Okafor');
  await expect(tile).toContainText('50.000 g');

  // Samuel, now in the queue through Henry, is not checked in a second time on his own.
  await checkInFromQueue(page, 'okafor', /Samuel Okafor/);
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('Samuel Okafor is already in the queue: their caregiver Henry Alvarez is checked in to buy for them.');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  await tile.getByRole('button', { name: "Open Henry Alvarez's ticket at the Register" }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Henry Alvarez');
  await expect(page.getByTestId('ticket-sub')).toContainText('Caregiver for Samuel Okafor');
  await expect(page.getByTestId('ticket-sub')).toContainText('Medical sale');
  await expect(page.getByRole('group', { name: 'Patient' }).locator('.chosen')).toContainText('Samuel Okafor');
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100');
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await keep(page, 'register-caregiver-for-customer-patient');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toContainText('MP3H8W1N6T');
  await expect(page.getByTestId('receipt')).toContainText('CG8B3N6X5R');
});

test('a caregiver whose caregiver card expired buys for themselves as adult use; buying for their patient says the card expired', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host!.url, demo.budtender.pin, demo.budtender.name);
  await checkInFromQueue(page, 'grace', /Grace Chen/);
  const dialog = page.getByRole('dialog');
  const buyingFor = dialog.getByRole('group', { name: 'Buying for' });
  // As her patient's caregiver: refused, saying what to do; Lily cannot be chosen, and says why.
  await expect(dialog.getByRole('alert')).toContainText(LAPSED);
  await expect(dialog.getByRole('alert')).toContainText('They may still buy for themselves: choose their own patient card or adult use under Buying for.');
  await expect(buyingFor.getByRole('radio', { name: /Lily Chen/ })).toBeDisabled();
  await expect(buyingFor.getByText(/Lily Chen/)).toContainText(LAPSED);
  await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
  await keep(page, 'queue-caregiver-card-expired');

  await buyingFor.getByRole('radio', { name: 'Themselves, adult use' }).check();
  await expect(dialog.getByText('Adult use, for themselves')).toBeVisible();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);

  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Grace Chen' });
  await expect(tile).toContainText('Caregiver for themselves (adult use)');
  await tile.getByRole('button', { name: "Open Grace Chen's ticket at the Register" }).click();
  await expect(page.getByTestId('ticket-sub')).toContainText('Caregiver buying for themselves');
  await expect(page.getByTestId('ticket-sub')).toContainText('Adult-use sale');
  const patients = page.getByRole('group', { name: 'Patient' });
  await expect(patients.locator('.chosen')).toContainText('For themselves, adult use');
  await expect(patients.getByRole('button', { name: /Lily Chen/ })).toBeDisabled();
  await expect(patients.getByRole('button', { name: /Lily Chen/ })).toContainText(LAPSED);
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100');
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await keep(page, 'register-caregiver-card-expired');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt')).not.toContainText('CG4M7P2W9Q');
});
