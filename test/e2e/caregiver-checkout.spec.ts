/**
 * A caregiver at the register (Chromium, demo store, the embedded BioTrack sandbox): the ticket
 * says "Caregiver", the patient is added on the spot with the blue + (name, medical licence,
 * expiry, birth date, Save), chosen at once and looked up in the state system, and the sale
 * records the patient's licence.
 */
import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

test('a caregiver adds their patient at the register with the blue +; the ticket says Caregiver', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByLabel('Search customers').fill('henry');
  await page.getByRole('button', { name: /^Henry Alvarez/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Henry Alvarez');
  const sub = page.getByTestId('ticket-sub');
  await expect(sub).toContainText('Caregiver');
  await expect(sub).not.toContainText('Medical patient');

  await page.getByRole('button', { name: 'Add a patient for this caregiver' }).click();
  const form = page.getByRole('form', { name: 'New patient' });
  await form.getByLabel('First name').fill('June');
  await form.getByLabel('Last name').fill('Alvarez');
  await form.getByLabel('Medical licence').fill('MP2J6N4Q8B');
  await form.getByLabel('Licence expires (yyyy-mm-dd)').fill('2030-05-31');
  await form.getByLabel('Birth date (yyyy-mm-dd)').fill('1990-04-01');
  await shot(page, 'register-caregiver-add-patient');
  await form.getByRole('button', { name: 'Save' }).click();

  // Chosen at once and looked up: the allotment pop-up shows the state's figure for June.
  const dialog = page.getByTestId('allotment-dialog');
  await expect(dialog).toContainText('June Alvarez · medical ID MP2J6N4Q8B');
  await expect(dialog.getByTestId('allotment-amount')).toHaveText('70.8700 g');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(sub).toContainText('Caregiver for June Alvarez');
  await expect(sub).not.toContainText('Medical patient');
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100');
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
  await shot(page, 'register-caregiver-ticket');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toContainText('MP2J6N4Q8B');
});
