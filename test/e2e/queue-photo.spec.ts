/**
 * Queue tiles show the customer's photo once one is on their profile, initials until then
 * (Chromium, demo store). The photo is a PNG drawn in the page and uploaded as a Profile Photo.
 */
import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function go(page: Page, section: 'Queue' | 'Customers'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
}

/** A small portrait-like PNG, drawn on a canvas in the page. */
async function portraitPng(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 120;
    canvas.height = 120;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#5b8def';
    g.fillRect(0, 0, 120, 120);
    g.fillStyle = '#f2c7a5';
    g.beginPath();
    g.arc(60, 48, 26, 0, Math.PI * 2);
    g.fill();
    g.fillRect(24, 82, 72, 38);
    return canvas.toDataURL('image/png').split(',')[1]!;
  });
  return Buffer.from(base64, 'base64');
}

test('a queue tile shows initials until the customer has a photo, then the photo', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('olivia');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  const tile = page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: 'Olivia Hart' });
  await expect(tile.getByTestId('queue-photo')).toHaveText('OH');
  await expect(tile.getByTestId('queue-photo').locator('img')).toHaveCount(0);

  // A profile photo is added to Olivia's profile.
  await go(page, 'Customers');
  await page.getByLabel('Search by').selectOption({ label: 'Name' });
  await page.getByLabel('Search', { exact: true }).fill('olivia');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await page.getByLabel('Upload type').selectOption({ label: 'Profile Photo' });
  await page.getByLabel('+ Upload').setInputFiles({ name: 'olivia.png', mimeType: 'image/png', buffer: await portraitPng(page) });
  await expect(page.getByRole('list', { name: 'Documents' }).getByRole('listitem')).toHaveCount(1);

  // Back in the queue: the photo, drawn (not a broken image), and no initials.
  await go(page, 'Queue');
  const photo = tile.getByTestId('queue-photo').locator('img');
  await expect(photo).toHaveCount(1);
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
  await expect(tile.getByTestId('queue-photo')).not.toContainText('OH');
  await shot(page, 'queue-photo');
});
