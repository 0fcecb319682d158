/**
 * Settings › Customer profiles in Chromium (Illinois demo store): a manager requires a phone number
 * on every profile and turns the automatic senior group off; the signup form then shows Phone
 * required (in red) and refuses to save without it, the customer type is one choice, and a 65+
 * customer's ticket no longer gets the senior group.
 */
import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

test('a manager requires a phone and turns the senior group off; the profile form and the ticket follow', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Before: Rosa Delgado (65+) is in the senior group at the register.
  await nav.getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByLabel('Search customers').fill('rosa');
  await page.getByRole('button', { name: /Rosa Delgado/ }).click();
  // A medical patient added straight to the ticket sees the allotment pop-up first.
  await page.getByTestId('allotment-dialog').getByRole('button', { name: 'OK' }).click();
  await expect(page.locator('.ticket-sub')).toContainText('groups: senior');
  await page.getByRole('button', { name: 'Discard ticket' }).click();

  await nav.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = page.getByRole('form', { name: 'Customer profile settings' });
  await settings.getByRole('checkbox', { name: 'Phone' }).check();
  await settings.getByRole('checkbox', { name: /join “senior” by themselves/ }).uncheck();
  await expect(settings.getByLabel('Senior from age')).toHaveCount(0);
  await settings.getByRole('button', { name: 'Save profile settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Customer profile settings saved.');
  await settings.screenshot({ path: 'test/e2e/screenshots/profile-settings.png' });

  // The signup form: one customer-type choice, Phone required.
  await nav.getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New customer' })).toBeVisible();
  const type = page.getByRole('group', { name: 'This customer is' });
  await type.getByRole('radio', { name: 'Medical with state ID' }).check();
  await expect(page.getByRole('textbox', { name: 'State Medical ID', exact: true })).toBeVisible();
  await type.getByRole('radio', { name: 'Adult use' }).check();
  await expect(page.getByRole('textbox', { name: 'State Medical ID', exact: true })).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Phone', exact: true })).toHaveAttribute('required', '');
  await expect(page.getByText('The automatic senior group is off for this store')).toBeVisible();
  await page.getByLabel('First name').fill('Penny');
  await page.getByLabel('Last name').fill('Phoneless');
  await page.getByLabel('Birth date').fill('04/04/1990');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter a phone number: this store requires it on every profile.');
  await shot(page, 'profile-required-phone');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('(309) 555-0144');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();

  // After: Rosa's ticket has no senior group (and no senior discount).
  await nav.getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByLabel('Search customers').fill('rosa');
  await page.getByRole('button', { name: /Rosa Delgado/ }).click();
  await page.getByTestId('allotment-dialog').getByRole('button', { name: 'OK' }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Rosa Delgado');
  await expect(page.locator('.ticket-sub')).not.toContainText('senior');
});
