/**
 * Customers in Chromium against the real browser host (Illinois demo store): signup by a
 * simulated scan (the payload typed into the scan field), signup without scanning, drafts,
 * search by each field, and a screenshot of each screen.
 */
import { expect, test, type Page } from '@playwright/test';
import { modernPayload } from '../unit/licenses/build';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function openCustomers(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
}

async function search(page: Page, field: string, query: string): Promise<void> {
  await page.getByLabel('Search by').selectOption({ label: field });
  await page.getByLabel('Search', { exact: true }).fill(query);
}

const results = (page: Page) => page.getByRole('list', { name: 'Search results' });

test('a licence scan with no profile opens the signup filled from the barcode; the next scan finds the profile', async ({ page }) => {
  await openCustomers(page);
  await shot(page, 'customers-home');
  await page.getByLabel('Scan field').fill(modernPayload({ DAQ: 'S12345678', DCS: 'SCANNER', DAC: 'SAMMY' }));
  await page.getByRole('button', { name: 'Look up' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'New customer' })).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveValue('Sammy');
  await expect(page.getByLabel('Last name')).toHaveValue('Scanner');
  await expect(page.getByLabel('Birth date')).toHaveValue('06/06/1986');
  await expect(page.getByLabel('Identification expiration')).toHaveValue('12/10/2030');
  await expect(page.getByLabel('Street', { exact: true })).toHaveValue('2300 West Broad Street');
  await expect(page.getByLabel('City', { exact: true })).toHaveValue('Richmond');
  await expect(page.getByRole('list', { name: 'Signup progress' }).getByLabel('Scanned: done')).toBeVisible();
  await expect(page.getByText(/Illinois law does not allow keeping scanned licence data/).first()).toBeVisible();
  await page.getByLabel('Phone', { exact: true }).fill('(312) 555-0101');
  await page.getByLabel('Email').fill('sammy@example.com');
  await expect(page.getByText('Draft kept', { exact: true })).toBeVisible();
  await shot(page, 'customers-signup-scan');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Drafts not saved yet' })).toHaveCount(0);

  // The same licence again: straight to the one profile it matches.
  await page.getByLabel('Scan field').fill(modernPayload({ DAQ: 'S12345678', DCS: 'SCANNER', DAC: 'SAMMY' }));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sammy Scanner' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText('Profile created from a licence scan');
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText(demo.budtender.name);
  await shot(page, 'customers-profile');

  // Edit: history is hidden while editing; the change shows as field: old → new after Save & Back.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Event history' })).toHaveCount(0);
  await page.getByLabel('Nickname').fill('Sam');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sammy "Sam" Scanner' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText('Nickname: (empty) → Sam');
});

test('a misread licence scan asks for a rescan and fills no signup', async ({ page }) => {
  await openCustomers(page);
  // The first name as a damaged scan delivered it: the issue date ran into it.
  await page.getByLabel('Scan field').fill(modernPayload({ DAQ: 'S55555555', DAC: 'JOHNDBD081884194' }));
  await page.getByRole('button', { name: 'Look up' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'misread' });
  await expect(alert).toHaveText('The scanner misread this licence (its first name came out garbled): scan it again. If it keeps happening, search for the customer or sign them up by hand.');
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'New customer' })).toHaveCount(0);
  await shot(page, 'customers-scan-misread');
});

test('signup without scanning, with both date forms, kept as a draft through navigation', async ({ page }) => {
  await openCustomers(page);
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Jane');
  await page.getByLabel('Last name').fill('Walkin');
  await page.getByLabel('Nickname').fill('JJ');
  await page.getByLabel('Birth date').fill('11301990');
  await page.getByLabel('Birth date').press('Enter');
  await expect(page.getByLabel('Birth date')).toHaveValue('11/30/1990');
  await page.getByLabel('Identification expiration').fill('11/30/2030');
  await page.getByLabel('Identification expiration').press('Enter');
  await expect(page.getByLabel('Identification expiration')).toHaveValue('11/30/2030');
  await page.getByLabel('Gender').selectOption({ label: 'Non-Binary' });
  await expect(page.getByText('Draft kept', { exact: true })).toBeVisible();
  await shot(page, 'customers-signup-manual');

  // Leave and come back: the draft is listed in orange and reopens with one click.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  const drafts = page.getByRole('list', { name: 'Drafts not saved yet' });
  await expect(drafts.getByRole('button', { name: /Jane Walkin/ })).toBeVisible();
  await shot(page, 'customers-drafts');
  await drafts.getByRole('button', { name: /Jane Walkin/ }).click();
  await expect(page.getByLabel('Nickname')).toHaveValue('JJ');
  await expect(page.getByLabel('Birth date')).toHaveValue('11/30/1990');
  await page.getByLabel('Birth date').fill('13/45/1990');
  await page.getByLabel('Birth date').press('Enter');
  await expect(page.getByText('Type the date as 11/30/2017 or 11302017.')).toBeVisible();
  await page.getByLabel('Birth date').fill('11/30/1990');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Drafts not saved yet' })).toHaveCount(0);
  await search(page, 'Name', 'walk');
  await expect(results(page).getByRole('button', { name: /Jane "JJ" Walkin/ })).toBeVisible();
});

test('Customers in the navigation leaves a profile; from the editor with changes it asks first (the draft is kept)', async ({ page }) => {
  await openCustomers(page);
  const customersNav = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true });

  // From a profile: straight back to the Customers start.
  await search(page, 'Name', 'hart');
  await results(page).getByRole('button', { name: /Olivia Hart/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await customersNav.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();

  // From the editor with a change: asked first; Keep editing stays, Leave goes back with the draft kept.
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Nora');
  await page.getByLabel('Last name').fill('Navigate');
  await customersNav.click();
  const ask = page.getByRole('dialog', { name: 'Leave this profile?' });
  await expect(ask).toBeVisible();
  await expect(ask.getByRole('button', { name: 'Keep editing' })).toBeFocused();
  await shot(page, 'customers-leave-editor');
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  await expect(page.getByLabel('First name')).toHaveValue('Nora');
  await expect(page.getByText('Draft kept', { exact: true })).toBeVisible();
  await customersNav.click();
  await ask.getByRole('button', { name: 'Leave (keep the draft)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Drafts not saved yet' }).getByRole('button', { name: /Nora Navigate/ })).toBeVisible();
});

test('a document added before the first save of a signup is on the profile once it is saved', async ({ page }) => {
  await openCustomers(page);
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Dana');
  await page.getByLabel('Last name').fill('Docfirst');
  await page.getByLabel('Birth date').fill('02/02/1992');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByLabel('Upload type').selectOption({ label: 'Medical Card' });
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a medical card image')]);
  await page.getByLabel('+ Upload').setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: png });
  const documents = page.getByRole('list', { name: 'Documents' });
  await expect(documents).toContainText('Medical Card');
  await page.getByRole('region', { name: 'Documents' }).screenshot({ path: 'test/e2e/screenshots/customers-document-before-save.png' });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dana Docfirst' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Documents' })).toContainText('Medical Card');
});

test('search by each field', async ({ page }) => {
  await openCustomers(page);
  const cases: Array<{ field: string; query: string; finds: RegExp | null; says?: RegExp }> = [
    { field: 'Name', query: 'chen', finds: /Grace Chen/ },
    { field: 'Phone', query: '217 555 0142', finds: /Olivia Hart/ },
    { field: 'Email', query: 'sam.okafor', finds: /Samuel Okafor/ },
    { field: 'Medical ID', query: 'MP7K', finds: /Rosa Delgado/ },
    { field: 'Birth date', query: '09301961', finds: /Rosa Delgado/ },
    { field: 'Birth date', query: '09/30/1961', finds: /Rosa Delgado/ },
    { field: 'Licence number', query: 'T642', finds: null, says: /type the whole number/ },
    { field: 'Rewards card number', query: '4000', finds: null, says: /No customer found/ },
  ];
  for (const { field, query, finds, says } of cases) {
    await search(page, field, query);
    if (finds) await expect(results(page).getByRole('button', { name: finds })).toBeVisible();
    if (says) await expect(page.getByRole('status').filter({ hasText: says })).toBeVisible();
  }
  await search(page, 'Name', 'chen');
  await expect(results(page).getByRole('button')).toHaveCount(2);
  await shot(page, 'customers-search');
  await results(page).getByRole('button', { name: /Grace Chen/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Grace Chen' })).toBeVisible();
});
