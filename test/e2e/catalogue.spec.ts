/**
 * Products in the running register (browser host, demo store, its embedded BioTrack sandbox): a
 * manager adds a product, receives a package BioTrack lists onto it and makes a new product from
 * another package, adjusts stock with a manager's tile and PIN, sees the ticket refuse more than
 * the package holds, and imports a catalogue CSV (a bad row named by its line, nothing written;
 * then a clean file). Screenshots in docs/screens/.
 */
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

const host = useHost();
test.use({ viewport: { width: 1400, height: 1100 } });

/** A screenshot kept with the docs as well. */
async function docShot(page: Page, name: string): Promise<void> {
  await shot(page, name);
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
}

test('catalogue, receiving from BioTrack, an approved adjustment, the ticket refusing more than the package, CSV import', async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  await go(page, 'Products');
  await expect(page.getByRole('heading', { level: 1, name: 'Products' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Products' })).toContainText('Prairie Sunset Flower 3.5g');

  // Add a product: the editor marks what the state's rules need for the category.
  await page.getByRole('button', { name: 'Add product' }).click();
  const editor = page.getByRole('form', { name: 'New product' });
  await editor.getByLabel('Name').fill('Sunset Sherbet Flower 3.5g');
  await editor.getByLabel('Category').selectOption('flower');
  await editor.getByLabel('Price ($)').fill('42.00');
  await editor.getByLabel(/Usable weight/).fill('3.5');
  await editor.getByLabel(/Unit weight/).fill('3.5');
  await editor.getByLabel(/THC/).fill('21.5');
  await editor.getByLabel(/Other barcodes/).fill('SHELF-0042');
  await docShot(page, 'catalogue-new-product');
  await editor.getByRole('button', { name: 'Save product' }).click();
  const detail = page.getByRole('region', { name: 'Sunset Sherbet Flower 3.5g' });
  await expect(detail.getByTestId('ct-on-hand')).toHaveText('0');
  await expect(detail).toContainText('None yet: receive one under Receive stock');
  await expect(detail).toContainText('Cannabis Purchaser Excise Tax');

  // Receive: BioTrack's packages, one onto the new product, another as a new product.
  await page.getByRole('tab', { name: 'Receive stock' }).click();
  const packages = page.getByRole('table', { name: 'Packages' });
  await expect(packages).toContainText('7194220405502001');
  await page.getByLabel('Product for package 7194220405502001').selectOption({ label: 'Sunset Sherbet Flower 3.5g' });
  await page.getByLabel('Quantity of package 7194220405502001').fill('41');
  await packages.getByRole('row', { name: /7194220405502001/ }).getByRole('button', { name: 'Receive' }).click();
  await expect(packages.getByRole('alert')).toContainText('BioTrack says package 7194220405502001 holds 40');
  await page.getByLabel('Quantity of package 7194220405502001').fill('5');
  await packages.getByRole('row', { name: /7194220405502001/ }).getByRole('button', { name: 'Receive' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Received 5 of package 7194220405502001' })).toBeVisible();

  await packages.getByRole('row', { name: /7194220405502002/ }).getByRole('button', { name: 'New product from this package' }).click();
  const fromPackage = page.getByRole('form', { name: 'New product' });
  await expect(fromPackage.getByLabel('Name')).toHaveValue('Watermelon Gummies 100mg');
  await expect(fromPackage.getByLabel('Category')).toHaveValue('edible');
  await fromPackage.getByLabel('Price ($)').fill('24.00');
  await fromPackage.getByLabel(/Unit weight/).fill('50');
  await fromPackage.getByLabel(/THC/).fill('100');
  await fromPackage.getByRole('button', { name: 'Save, then receive' }).click();
  await page.getByLabel('Product for package 7194220405502002').selectOption({ label: 'Watermelon Gummies 100mg' });
  await page.getByLabel('Quantity of package 7194220405502002').fill('12');
  await page.getByRole('heading', { name: 'Receive stock from BioTrack' }).scrollIntoViewIfNeeded();
  await docShot(page, 'catalogue-receiving');
  await packages.getByRole('row', { name: /7194220405502002/ }).getByRole('button', { name: 'Receive' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Received 12 of package 7194220405502002' })).toBeVisible();

  // Adjust: a manager's tile and PIN, then the history says who and why.
  await page.getByRole('tab', { name: 'Catalogue' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill('sherbet');
  await page.getByRole('table', { name: 'Products' }).getByRole('button', { name: 'Sunset Sherbet Flower 3.5g' }).click();
  await expect(detail.getByTestId('ct-on-hand')).toHaveText('5');
  await detail.getByRole('button', { name: 'Adjust stock' }).click();
  const adjust = page.getByRole('dialog', { name: 'Adjust stock' });
  await adjust.getByLabel('Change (e.g. -2 or 5)').fill('-1');
  await adjust.getByLabel('Reason').selectOption({ label: 'Damaged' });
  await adjust.getByLabel('Note (optional)').fill('crushed jar');
  await adjust.getByRole('button', { name: 'Ask a manager to approve' }).click();
  const approval = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(approval).toContainText('Adjust Sunset Sherbet Flower 3.5g: 5 → 4 (-1), Damaged.');
  await approval.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await page.keyboard.type(demo.manager.pin);
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(detail.getByTestId('ct-on-hand')).toHaveText('4');
  const history = detail.getByRole('table', { name: 'Stock history' });
  await expect(history).toContainText('Damaged (crushed jar)');
  await expect(history).toContainText('approved by Max Manager');
  await expect(history).toContainText('Received from package 7194220405502001');
  await docShot(page, 'catalogue-product-stock');

  // The ticket shows what is on hand and refuses more than the package holds.
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('olivia');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  await page.getByRole('button', { name: /Open Olivia Hart's ticket at the Register/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Olivia Hart');
  const scan = page.getByTestId('scan-field');
  for (let i = 0; i < 5; i++) {
    await scan.fill('7194220405502001'); // the package it sells from
    await scan.press('Enter');
    if (i < 4) await expect(page.getByTestId('ticket-line').first()).toContainText(String(i + 1));
  }
  await expect(page.getByText(/Only 4 of Sunset Sherbet Flower 3\.5g on hand \(the ticket wants 5\)/)).toBeVisible();
  await docShot(page, 'catalogue-ticket-refuses-more-than-package');

  // CSV: a bad row is named by its line and nothing is written; then a clean file goes in.
  await go(page, 'Products');
  await page.getByRole('tab', { name: 'Import & export' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export catalogue' }).click();
  expect((await download).suggestedFilename()).toMatch(/^catalogue-\d{4}-\d{2}-\d{2}\.csv$/);
  const head = 'id,name,category,price,unit_weight_g,usable_weight_g,thc,medical,adult_use,upc,barcodes';
  await page.getByLabel('Catalogue CSV file').setInputFiles({
    name: 'new-products.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${head}\n,House Pre-roll 1g,pre_roll,9.00,1,1,18%,yes,yes,,\n,Mystery Item,gadget,5,1,1,1%,yes,yes,,\n`),
  });
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview.getByRole('table', { name: 'Rows to fix' })).toContainText('3');
  await expect(preview.getByRole('table', { name: 'Rows to fix' })).toContainText('category "gadget" is not one of');
  await expect(preview).toContainText('Nothing is imported while a row has a problem');
  await docShot(page, 'catalogue-csv-problems');
  await page.getByLabel('Catalogue CSV file').setInputFiles({
    name: 'new-products.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${head}\n,House Pre-roll 1g,pre_roll,9.00,1,1,18%,yes,yes,,\n`),
  });
  await preview.getByRole('button', { name: 'Import 1 product', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported: 1 product added, 0 updated.' })).toBeVisible();
  await page.getByRole('tab', { name: 'Catalogue' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill('pre-roll');
  await expect(page.getByRole('table', { name: 'Products' })).toContainText('House Pre-roll 1g');
});
