/**
 * Rewards in the running register, with the scan simulator (`npm run scan -- --card N`, as a
 * magnetic stripe reader would send a swipe): a manager keeps the tag lists and the rules; a
 * card is connected to a profile by a swipe; a swipe at intake opens the customer, a swipe at
 * the Register opens their ticket; the card is replaced and the old card is refused; points
 * are adjusted by hand only with a manager's tile and PIN; search filters by tag.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demo, repoRoot, useHost } from './host';
import { logIn, shot } from './screens';

const run = promisify(execFile);
const host = useHost({ env: { REGISTER_SCAN_SIMULATOR: '1' } });
// Tall enough for the whole profile (the shell scrolls inside, so a full-page shot shows only the window).
test.use({ viewport: { width: 1280, height: 1500 } });
const FIRST_CARD = '6012000011112222';
const NEW_CARD = '6012000033334444';

/** One swipe through the scan simulator, as a card reader would send it. */
async function swipe(cardNumber: string): Promise<void> {
  await run(join(repoRoot, 'node_modules', '.bin', 'tsx'), [join(repoRoot, 'scripts/scan.ts'), '--data-dir', host().dataDir, '--card', cardNumber], { cwd: repoRoot });
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('cards by swipe: connect, find, replace, the old card refused; points by hand with a manager PIN; tags', async ({ page }) => {
  test.setTimeout(90_000);
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);

  // Settings > Rewards: the tag lists and the rules.
  await go(page, 'Settings');
  const settings = page.getByRole('region', { name: 'Rewards' });
  await settings.getByLabel('New status tag').fill('VIP');
  await settings.getByRole('group', { name: 'Status tags' }).getByRole('button', { name: 'Add' }).click();
  await expect(settings.getByRole('group', { name: 'Status tags' })).toContainText('VIP');
  await settings.getByLabel('New location tag').fill('North store');
  await settings.getByRole('group', { name: 'Location tags' }).getByRole('button', { name: 'Add' }).click();
  await expect(settings.getByRole('group', { name: 'Location tags' })).toContainText('North store');
  await settings.getByLabel('Points earned per dollar').fill('2');
  await settings.getByRole('button', { name: 'Save rewards rules' }).click();
  await expect(settings.getByText('Rewards rules saved.')).toBeVisible();
  await expect(settings.getByTestId('rewards-rules-summary')).toContainText('2 points per dollar');
  await settings.scrollIntoViewIfNeeded();
  await settings.screenshot({ path: join(repoRoot, 'test/e2e/screenshots/rewards-settings.png') });

  // Open a profile and connect a card by swiping it.
  await go(page, 'Customers');
  await page.getByLabel('Search', { exact: true }).fill('Olivia Hart');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Olivia Hart/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  const card = page.getByTestId('rewards-card');
  await expect(card.getByTestId('rewards-card-status')).toContainText('No rewards card connected.');
  await card.getByRole('button', { name: 'Connect Card' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect Card' });
  await expect(dialog.getByText('Waiting for a swipe…')).toBeVisible();
  await shot(page, 'rewards-connect-dialog');
  await swipe(FIRST_CARD);
  await expect(dialog).toHaveCount(0);
  await expect(card.getByTestId('rewards-card-status')).toContainText('Card ending 2222');
  await expect(card.getByText('Card ending 2222 connected.')).toBeVisible();

  // Tags on the profile.
  await card.getByRole('button', { name: 'Edit tags' }).click();
  await card.getByLabel('VIP').check();
  await card.getByLabel('North store').check();
  await card.getByRole('button', { name: 'Save tags' }).click();
  await expect(card.getByRole('list', { name: 'Tags' })).toContainText('VIP');

  // Points by hand: refused without a manager, then approved with a tile and PIN.
  await card.getByRole('button', { name: 'Adjust points' }).click();
  const adjust = page.getByRole('dialog', { name: 'Adjust points' });
  await adjust.getByLabel('Points to add (negative to take away)').fill('150');
  await adjust.getByLabel('Reason').fill('Welcome bonus');
  await adjust.getByRole('button', { name: 'Ask a manager to approve' }).click();
  const approval = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(approval).toContainText("Adjust Olivia Hart's points: 0 → 150 (+150)");
  await approval.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await page.keyboard.type('9999');
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(approval.getByText(/not Max Manager's PIN/)).toBeVisible();
  await page.getByLabel(/Max Manager's PIN/).fill('');
  await page.keyboard.type(demo.manager.pin);
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('rewards-balance')).toHaveText('150 points');
  await expect(card.getByText('Points adjusted: 0 → 150.')).toBeVisible();
  await expect(card.getByRole('table', { name: 'Points history' })).toContainText('Adjusted by hand: Welcome bonus (approved by Max Manager)');
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText('Points adjusted by hand: 0 → 150');
  await shot(page, 'rewards-profile');
  await card.screenshot({ path: join(repoRoot, 'test/e2e/screenshots/rewards-card-panel.png') });

  // A swipe at intake opens the customer.
  await page.getByRole('button', { name: '← Back' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await swipe(FIRST_CARD);
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();

  // Replace the card: the new one works, the old one is refused; points and history stay.
  await page.getByTestId('rewards-card').getByRole('button', { name: 'Replace Card' }).click();
  const replace = page.getByRole('dialog', { name: 'Replace Card' });
  await expect(replace).toContainText('The card ending 2222 stops working');
  await swipe(FIRST_CARD);
  await expect(replace.getByRole('alert')).toContainText('swipe the NEW card');
  await swipe(NEW_CARD);
  await expect(replace).toHaveCount(0);
  const replaced = page.getByTestId('rewards-card');
  await expect(replaced.getByTestId('rewards-card-status')).toContainText('Card ending 4444');
  await expect(replaced.getByTestId('rewards-card-status')).toContainText('Replaced (no longer work): ending 2222');
  await expect(replaced.getByTestId('rewards-balance')).toHaveText('150 points');
  await shot(page, 'rewards-replaced');

  await page.getByRole('button', { name: '← Back' }).click();
  await swipe(FIRST_CARD);
  await expect(page.getByTestId('card-swipe-problem')).toContainText('The card ending 2222 was replaced and no longer works');
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await shot(page, 'rewards-old-card-refused');
  await page.getByTestId('card-swipe-problem').getByRole('button', { name: 'Dismiss' }).click();

  // Search by tag: everyone with VIP, no name needed.
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'VIP' });
  await expect(page.getByRole('list', { name: 'Search results' }).getByRole('button')).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Search results' })).toContainText('Olivia Hart');
  await shot(page, 'rewards-search-by-tag');

  // A swipe anywhere else goes to the Register and opens the customer's ticket, rewards shown.
  await go(page, 'Queue');
  await swipe(NEW_CARD);
  await expect(page.getByRole('heading', { level: 1, name: 'Register' })).toHaveCount(0);
  await expect(page.getByTestId('ticket-customer')).toHaveText('Olivia Hart');
  const atCheckout = page.getByTestId('rewards-at-checkout');
  await expect(atCheckout).toContainText('Rewards: 150 points');
  await page.getByTestId('scan-field').fill('7194220405500100'); // Prairie Sunset 3.5 g, $45.00
  await page.getByTestId('scan-field').press('Enter');
  // 50% of $45.00 allows 450 points; she has 150 (5 cents each): $7.50 off before tax.
  await atCheckout.getByRole('button', { name: 'Redeem 150 points ($7.50 off)' }).click();
  await expect(atCheckout).toContainText('150 points redeemed: $7.50 off');
  await expect(page.getByTestId('totals')).toContainText('−$7.50');
  await shot(page, 'rewards-register');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByRole('button', { name: 'New sale' })).toBeVisible();

  // Back at intake, her card opens the profile: 150 − 150 redeemed + 2 × 37 earned on $37.50.
  await go(page, 'Customers');
  await swipe(NEW_CARD);
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await expect(page.getByTestId('rewards-balance')).toHaveText('74 points');
  await expect(page.getByRole('table', { name: 'Points history' })).toContainText('Redeemed on a sale: $7.50 off');
  await expect(page.getByRole('table', { name: 'Points history' })).toContainText('Earned on a sale of $37.50');
});
