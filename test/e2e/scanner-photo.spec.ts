/**
 * The document scanner's photo path (Chromium, Oklahoma demo store), through the real screens and
 * the real command document source: an admin adds a "Document scanner: scan command" in
 * Settings › Devices whose command copies a recorded scan (a JPEG ID photo, drawn once and kept in
 * a temporary folder) to {out}, as `scanimage` writes its image. A budtender then presses Capture
 * Photo on a customer's profile: the register runs the command, checks and keeps the image, files
 * it as a Full License on the profile and makes it the customer's photo; the queue tile shows it.
 * Scan MD Rec files the next scan as the doctor's permit, without changing the photo; a scan that
 * fails says so on the profile and files nothing. A scanner whose own software saves into a
 * watched folder (Settings › Devices, real folder transport): the image is offered to the open
 * profile, filed as chosen, or left.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir } from './screens';

// Oklahoma: a store may keep an image of the licence (Illinois may not, so it offers no Capture Photo).
const host = useHost({ newStore: 'OK' });
const recordings = mkdtempSync(join(tmpdir(), 'register-e2e-scanner-'));
test.afterAll(() => rmSync(recordings, { recursive: true, force: true }));

/** A screenshot kept in docs/screens/ (and test/e2e/screenshots/): the window, with `subject` scrolled into it. */
async function keep(page: Page, name: string, subject: Locator): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await subject.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function go(page: Page, section: 'Queue' | 'Customers' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
}

/** A scanned image as a scanner writes it (JPEG), drawn in the page: `width` × 150 pixels. */
async function scannedJpeg(page: Page, width: number, colour: string): Promise<Buffer> {
  const base64 = await page.evaluate(
    ({ width, colour }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = 150;
      const g = canvas.getContext('2d')!;
      g.fillStyle = colour;
      g.fillRect(0, 0, width, 150);
      g.fillStyle = '#f2c7a5';
      g.beginPath();
      g.arc(width / 2, 60, 30, 0, Math.PI * 2);
      g.fill();
      g.fillRect(width / 2 - 40, 100, 80, 50);
      return canvas.toDataURL('image/jpeg', 0.9).split(',')[1]!;
    },
    { width, colour },
  );
  return Buffer.from(base64, 'base64');
}

test('a budtender captures the scanned ID photo onto a profile and the queue tile shows it; Scan MD Rec files the permit; a failed scan says so', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);

  // The recorded scans: the scan command copies the current one to {out}, as scanimage writes its image.
  const current = join(recordings, 'scan.jpg');
  writeFileSync(current, await scannedJpeg(page, 160, '#5b8def'));

  await go(page, 'Settings');
  const add = page.getByRole('region', { name: 'Add a device' });
  await add.getByLabel('Name').fill('ID scanner');
  await add.getByLabel('Connection').selectOption('command');
  await add.getByLabel(/^Command/).fill(`cp ${current} {out}`);
  await add.getByRole('button', { name: 'Add device' }).click();
  await expect(page.getByTestId('devices-table').getByRole('row', { name: /ID scanner/ })).toBeVisible();

  // A budtender at intake (the page opened again: a new session): June Whitaker's profile, Capture Photo.
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Customers');
  await page.getByLabel('Search by').selectOption({ label: 'Name' });
  await page.getByLabel('Search', { exact: true }).fill('whitaker');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /June Whitaker/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'June Whitaker' })).toBeVisible();
  const documents = page.getByRole('region', { name: 'Documents' });
  await expect(documents.getByText('No document scanner is set up')).toHaveCount(0);
  await documents.getByRole('button', { name: 'Capture Photo' }).click();
  const filed = documents.getByRole('list', { name: 'Documents' }).getByRole('listitem');
  await expect(filed).toHaveCount(1);
  await expect(filed.first()).toContainText('Full License');
  await expect(documents.getByRole('alert')).toHaveCount(0);

  // The image kept is the one scanned: shown whole, at its own size.
  await filed.first().getByRole('button', { name: /^Show Full License/ }).click();
  const viewer = page.getByRole('dialog', { name: /^Full License/ });
  const image = viewer.locator('img');
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
  await viewer.getByRole('button', { name: 'Close' }).click();

  // The scanner's next image, a doctor's permit: filed as such; the photo stays the ID.
  writeFileSync(current, await scannedJpeg(page, 220, '#8d5bef'));
  await documents.getByRole('button', { name: 'Scan MD Rec' }).click();
  await expect(filed).toHaveCount(2);
  await expect(documents.getByRole('list', { name: 'Documents' })).toContainText('Doctors Permit');
  await keep(page, 'customers-scanner-photo', documents);

  // The scanner has nothing to give (its command fails): the profile says so in words, nothing more is filed.
  rmSync(current);
  await documents.getByRole('button', { name: 'Capture Photo' }).click();
  await expect(documents.getByRole('alert')).toContainText('The document was not scanned: the scanner did not scan');
  await expect(filed).toHaveCount(2);

  // The queue tile shows the captured photo, not initials.
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('whitaker');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /June Whitaker/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'June Whitaker' });
  const photo = tile.getByTestId('queue-photo').locator('img');
  await expect(photo).toHaveCount(1);
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
});

test('a scanner that saves into a watched folder: the scan is offered to the open profile and filed as its photo', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  const inbox = join(recordings, 'inbox');
  mkdirSync(inbox, { recursive: true });
  await go(page, 'Settings');
  const add = page.getByRole('region', { name: 'Add a device' });
  await add.getByLabel('Name').fill('Scan folder');
  await add.getByLabel('Connection').selectOption('folder');
  await add.getByLabel('Folder the scanner saves into').fill(inbox);
  await add.getByRole('button', { name: 'Add device' }).click();
  await expect(page.getByTestId('devices-table').getByRole('row', { name: /Scan folder/ })).toContainText('connected');

  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Customers');
  await page.getByLabel('Search by').selectOption({ label: 'Name' });
  await page.getByLabel('Search', { exact: true }).fill('redcorn');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Tomas Redcorn/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tomas Redcorn' })).toBeVisible();
  const documents = page.getByRole('region', { name: 'Documents' });
  await expect(documents.getByText('No documents yet.')).toBeVisible();

  // The scanner's software saves the ID photo into the folder; the register picks it up once it is whole.
  writeFileSync(join(inbox, 'IMG_0001.jpg'), await scannedJpeg(page, 140, '#3f9d6b'));
  const arrived = documents.getByRole('group', { name: 'Scan arrived' });
  await expect(arrived).toContainText('A scan arrived from Scan folder');
  await expect(arrived.getByLabel('File the scan as')).toHaveValue('full_licence');
  await keep(page, 'customers-scan-arrived', documents);
  await arrived.getByRole('button', { name: 'File it here' }).click();
  await expect(arrived).toHaveCount(0);
  const filed = documents.getByRole('list', { name: 'Documents' }).getByRole('listitem');
  await expect(filed).toHaveCount(1);
  await expect(filed.first()).toContainText('Full License');

  // A second scan meant for someone else is left, not filed.
  writeFileSync(join(inbox, 'IMG_0002.jpg'), await scannedJpeg(page, 150, '#9d3f6b'));
  await expect(arrived).toContainText('A scan arrived from Scan folder');
  await arrived.getByRole('button', { name: 'Not for this customer' }).click();
  await expect(arrived).toHaveCount(0);
  await expect(filed).toHaveCount(1);

  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('redcorn');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Tomas Redcorn/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  const photo = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Tomas Redcorn' }).getByTestId('queue-photo').locator('img');
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(140);
});
