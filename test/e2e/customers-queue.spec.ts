/**
 * Customers and the queue together (issues 5 and 6) at 1280x800: Check In from a saved profile
 * through the check-in pop-up (and a refusal in it), the customer in the Customers queue panel and
 * in the Directory of recent check-ins, the check-in in the profile's history, a draft in orange
 * above the queue reopening in the editor, and a queue tile opening the ticket at the Register.
 */
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

const host = useHost();

async function openCustomers(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await goCustomers(page);
}

async function goCustomers(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
}

async function openProfile(page: Page, query: string, name: string): Promise<void> {
  await page.getByLabel('Search by').selectOption({ label: 'Name' });
  await page.getByLabel('Search', { exact: true }).fill(query);
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function openCheckIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Check In', exact: true }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'looking up the purchase allotment' })).toHaveCount(0);
}

const queuePanel = (page: Page) => page.getByRole('complementary', { name: 'Queue and drafts' });

test('check in from a saved profile: the queue panel, the Directory and the history show it', async ({ page }) => {
  await openCustomers(page);
  await expect(page.getByText(/arrive with the .* issue/)).toHaveCount(0);
  await expect(queuePanel(page).getByText('Nobody is waiting.')).toBeVisible();

  // A refusal shows in the pop-up, and nothing can be checked in.
  await openProfile(page, 'reyes', 'Gavin Reyes');
  await openCheckIn(page);
  const refused = page.getByRole('dialog').getByRole('alert');
  await expect(refused).toContainText('Cannot check in');
  await expect(refused.locator('[data-code="identification_expired"]')).toBeVisible();
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Check in', exact: true })).toBeDisabled();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Check In', exact: true })).toBeFocused();

  // Olivia Hart checks in as adult use at the legal limits.
  await page.getByRole('button', { name: '← Back' }).click();
  await openProfile(page, 'hart', 'Olivia Hart');
  await openCheckIn(page);
  await expect(page.getByRole('dialog').getByRole('heading', { name: 'Check in Olivia Hart' })).toBeVisible();
  await expect(page.getByRole('dialog').getByRole('heading', { name: 'Purchase allotment' })).toBeVisible();
  // The pop-up covers the window, not the whole scrolled page: a window-sized picture.
  await page.screenshot({ path: join(screenshotDir, 'customers-checkin-dialog.png') });
  await page.getByRole('dialog').getByRole('button', { name: 'Check in', exact: true }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Olivia Hart is checked in' })).toBeVisible();
  const history = page.getByRole('region', { name: 'Event history' });
  await expect(history).toContainText('Checked in as adult use');
  await expect(history.getByRole('row').filter({ hasText: 'Checked in as adult use' })).toContainText(demo.budtender.name);
  await shot(page, 'customers-profile-checked-in');

  // A signup left as a draft: orange above the queue on the Customers home.
  await page.getByRole('button', { name: '← Back' }).click();
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Quinn');
  await page.getByLabel('Last name').fill('Draftly');
  await expect(page.getByText('Draft kept', { exact: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await goCustomers(page);

  const panel = queuePanel(page);
  await expect(panel.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry')).toHaveCount(1);
  await expect(panel.getByRole('list', { name: 'Checked-in customers' })).toContainText('Olivia Hart');
  await expect(panel.getByRole('list', { name: 'Drafts not saved yet' })).toContainText('Quinn Draftly');
  const directory = page.getByRole('list', { name: 'Recent check-ins' });
  await expect(directory.getByRole('button', { name: /Olivia Hart.*in the queue/ })).toBeVisible();
  // The panel sits beside the search, in view without scrolling at 1280x800.
  await expect(panel).toBeInViewport();
  await expect(page.getByLabel('Search', { exact: true })).toBeInViewport();
  await shot(page, 'customers-queue-panel');

  // The draft reopens in the Customers editor.
  await panel.getByRole('button', { name: /Quinn Draftly/ }).click();
  await expect(page.getByLabel('First name')).toHaveValue('Quinn');
  await expect(page.getByLabel('Last name')).toHaveValue('Draftly');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await goCustomers(page);

  // The Directory opens the profile.
  await page.getByRole('list', { name: 'Recent check-ins' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await page.getByRole('button', { name: '← Back' }).click();

  // A checked-in customer in the panel opens their ticket at the Register, as on the Queue screen.
  await queuePanel(page).getByRole('button', { name: "Open Olivia Hart's ticket at the Register" }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Register', exact: true })).toHaveAttribute('aria-current', 'page');
});
