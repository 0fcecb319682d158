/**
 * Bringing customers over in the running register: a manager chooses another POS's CSV export,
 * sees each row to fix by its line and who is already here, nothing imported; maps a column by
 * hand; imports the corrected file in one go and finds an imported customer; exports the
 * customers. Screenshots in docs/screens/.
 */
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

const host = useHost();
test.use({ viewport: { width: 1400, height: 1300 } });

async function docShot(page: Page, name: string): Promise<void> {
  await shot(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

const HEADER = 'First Name,Last Name,DOB,Type,Medical Card #,Card Exp,Phone';

test('customers from another POS: problems by line, duplicates skipped, a column mapped by hand, one import', async ({ page }) => {
  test.setTimeout(90_000);
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByRole('button', { name: 'Import or export' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import or export customers' })).toBeVisible();

  // Line 3 has a date that does not exist; line 2's card expiration is in a column the register does not recognise.
  const bad = [
    HEADER,
    'Greta,Lindqvist,1979-04-18,medical,MED-550001,2030-06-30,312-555-0144',
    'Hector,Mbeki,04/31/1988,adult_use,,,',
    'Ines,Okafor,1992-12-01,adult_use,,,773-555-0199',
  ].join('\n');
  await page.getByLabel('Customer CSV file').setInputFiles({ name: 'old-pos-customers.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toContainText('3 rows');
  const toFix = preview.getByRole('table', { name: 'Rows to fix' });
  await expect(toFix.getByRole('row', { name: /^3 / })).toContainText('birth date "04/31/1988" is not a date');
  await expect(preview).toContainText('Nothing is imported while a row needs fixing');
  // The medical card's expiration column was not recognised: it is mapped by hand below.
  const columns = page.getByRole('region', { name: /Columns in old-pos-customers\.csv/ });
  await expect(columns.getByRole('combobox', { name: 'Medical ID', exact: true })).toHaveValue('Medical Card #');
  await expect(columns.getByRole('combobox', { name: 'Medical ID expiration' })).toHaveValue('');
  await expect(toFix.getByRole('row', { name: /^2 / })).toContainText('medical ID and its expiration');
  await docShot(page, 'customers-import-columns');
  await preview.scrollIntoViewIfNeeded();
  await docShot(page, 'customers-import-problems');

  await columns.getByRole('combobox', { name: 'Medical ID expiration' }).selectOption('Card Exp');
  await columns.getByRole('button', { name: 'Check again with these columns' }).click();
  await expect(toFix.getByRole('row', { name: /^2 / })).toHaveCount(0);

  // The corrected file: the bad date fixed, and a customer already here.
  const good = [HEADER, 'Greta,Lindqvist,1979-04-18,medical,MED-550001,2030-06-30,312-555-0144', 'Hector,Mbeki,04/30/1988,adult_use,,,', 'Ines,Okafor,1992-12-01,adult_use,,,773-555-0199'];
  // A file with the same columns keeps the column chosen by hand.
  await page.getByLabel('Customer CSV file').setInputFiles({ name: 'old-pos-customers.csv', mimeType: 'text/csv', buffer: Buffer.from(good.join('\n')) });
  await expect(preview).toContainText('3 ready to import');
  await expect(columns.getByRole('combobox', { name: 'Medical ID expiration' })).toHaveValue('Card Exp');
  await expect(preview.getByRole('table', { name: 'First rows' })).toContainText('Greta Lindqvist');
  // Birth dates read as at the rest of the counter, whatever the file's format.
  await expect(preview.getByRole('table', { name: 'First rows' })).toContainText('04/18/1979');
  await expect(preview.getByRole('table', { name: 'First rows' })).toContainText('04/30/1988');
  await preview.scrollIntoViewIfNeeded();
  await docShot(page, 'customers-import-preview');
  await preview.getByRole('button', { name: 'Import 3 customers' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported 3 customers.' })).toBeVisible();

  // The same file again: everyone is already here.
  await page.getByLabel('Customer CSV file').setInputFiles({ name: 'old-pos-customers.csv', mimeType: 'text/csv', buffer: Buffer.from(good.join('\n')) });
  await expect(preview).toContainText('3 already here (skipped)');
  await expect(preview.getByRole('table', { name: 'Already here (skipped)' })).toContainText('lready here as Hector Mbeki (the same name and birth date): skipped.');
  await expect(preview).toContainText('Every customer in the file is already here.');
  await preview.scrollIntoViewIfNeeded();
  await docShot(page, 'customers-import-duplicates');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export customers' }).click();
  expect((await download).suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);

  await page.getByRole('button', { name: 'Back to customers' }).click();
  await page.getByLabel('Search', { exact: true }).fill('Lindqvist');
  await expect(page.getByRole('list', { name: 'Search results' })).toContainText('Greta Lindqvist');
});
