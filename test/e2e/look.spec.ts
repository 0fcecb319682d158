/**
 * How the screens behave for a person at speed (issue 14, "Words and looks"): focus moves into each
 * dialog and comes back to where it was after; Tab stays inside an open dialog; a dialog never
 * scrolls sideways, even on a narrow screen; and the ticket is in the app's one (dark) theme.
 */
import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function openTicket(page: Page, name: string, medical = false): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByLabel('Search customers').fill(name.split(' ')[0]!.toLowerCase());
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText(name);
  // A medical patient added straight to the ticket sees the allotment pop-up first.
  if (medical) await page.getByTestId('allotment-dialog').getByRole('button', { name: 'OK' }).click();
  const field = page.getByTestId('scan-field');
  await field.fill('7194220405500100'); // Prairie Sunset 3.5 g
  await field.press('Enter');
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);
}

const focusInside = (page: Page, selector: string) => page.evaluate((s) => document.querySelector(s)?.contains(document.activeElement) ?? false, selector);

test('focus moves into a dialog, Tab stays inside it, and focus returns to the opener when it closes', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openTicket(page, 'Olivia Hart');
  await shot(page, 'look-ticket-one-theme');
  const opener = page.getByTestId('ticket-line').getByRole('button', { name: 'Discount' });
  await opener.focus();
  await opener.press('Enter');
  const dialog = page.getByRole('dialog', { name: /Discount on Prairie Sunset/ });
  await expect(dialog).toBeVisible();
  await expect.poll(() => focusInside(page, '[role="dialog"]')).toBe(true);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    expect(await focusInside(page, '[role="dialog"]'), `after ${i + 1} Tab presses`).toBe(true);
  }
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
  await page.getByRole('button', { name: 'Discard ticket' }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveCount(0);
});

test('dialogs never scroll sideways on a narrow screen, and the ticket shares the dark theme', async ({ page }) => {
  await page.setViewportSize({ width: 720, height: 900 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await openTicket(page, 'Olivia Hart');

  // One theme: the allotment meter and the notices are dark panels, not white boxes in a dark app.
  const luminance = await page.locator('.meter').first().evaluate((element) => {
    const [r, g, b] = getComputedStyle(element).backgroundColor.match(/\d+/g)!.map(Number) as [number, number, number];
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  });
  expect(luminance).toBeLessThan(0.3);

  await page.getByTestId('ticket-line').getByRole('button', { name: 'Discount' }).click();
  const dialog = page.getByRole('dialog', { name: /Discount on Prairie Sunset/ });
  await expect(dialog).toBeVisible();
  const sideways = await page.locator('.dialog').evaluate((element) => element.scrollWidth - element.clientWidth);
  expect(sideways).toBeLessThanOrEqual(0);
  await shot(page, 'look-narrow-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Discard ticket' }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveCount(0);
});

test.describe('a register whose computer clock is set to another time zone', () => {
  test.use({ timezoneId: 'Asia/Tokyo' });

  test("shows times in the store's time zone (America/Chicago), not the computer's", async ({ page }) => {
    await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
    await openTicket(page, 'Rosa Delgado', true);
    const source = page.locator('.meter-source').filter({ hasText: 'State system figure' }).first();
    await expect(source).toContainText(/\d{1,2}:\d{2} (AM|PM)/);
    const shown = (await source.innerText()).trim();
    const inZone = (timeZone: string, at: number) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(at));
    const now = Date.now();
    const chicago = [now, now - 60_000, now - 120_000].map((at) => inZone('America/Chicago', at));
    expect(chicago.some((text) => shown.includes(text)), `${shown} should be one of ${chicago.join(' / ')}`).toBe(true);
    expect(shown.includes(inZone('Asia/Tokyo', now))).toBe(false);
    await page.getByRole('button', { name: 'Discard ticket' }).click();
  });
});
