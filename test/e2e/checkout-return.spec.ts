/**
 * A return end to end in Chromium against the browser host (demo store, embedded BioTrack
 * sandbox): a budtender makes a medical sale, opens it again from the recent sales, returns one
 * of two items with a reason and a manager's approval, and sees the refund, the stock back and the
 * refund queued to BioTrack; asking for more than is left is refused; the customer's points history
 * shows the return taking back its share of the points the sale earned.
 */
import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function scanCode(page: Page, code: string): Promise<void> {
  const field = page.getByTestId('scan-field');
  await field.fill(code);
  await field.press('Enter');
}

test('a budtender returns one item of a medical sale with a manager approval; more than is left is refused', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByLabel('Search customers').fill('rosa');
  await page.getByRole('button', { name: /Rosa Delgado/ }).click();
  await expect(page.getByTestId('ticket-customer')).toHaveText('Rosa Delgado');
  // Added straight to the ticket: the allotment pop-up shows the state's figure first.
  await page.getByTestId('allotment-dialog').getByRole('button', { name: 'OK' }).click();
  await scanCode(page, '7194220405500100'); // Prairie Sunset 3.5 g
  await scanCode(page, '7194220405500100');
  await scanCode(page, '850012340201'); // Watermelon Gummies
  await expect(page.getByTestId('ticket-line')).toHaveCount(2);
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('button', { name: 'Debit', exact: true }).click();
  await page.getByRole('button', { name: 'Complete sale' }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await page.getByRole('button', { name: 'New sale' }).click();

  // Open the sale from the recent sales and return one Prairie Sunset.
  await page.getByRole('button', { name: /#1 · Rosa Delgado/ }).click();
  await expect(page.getByTestId('receipt')).toContainText('Receipt #1');
  await page.getByRole('button', { name: 'Return items…' }).click();
  const dialog = page.getByRole('dialog', { name: /Return items/ });
  await expect(dialog.getByTestId('return-line')).toHaveCount(2);
  await expect(dialog.getByTestId('return-left').first()).toHaveText('2');
  // Keyboard: type the quantity, then the reason, and submit with Enter.
  await dialog.getByLabel('Quantity of Prairie Sunset Flower 3.5g to return').fill('1');
  // The reason is required.
  await dialog.getByRole('button', { name: /Return and refund \$/ }).click();
  await expect(dialog.getByTestId('return-problem')).toContainText('Say why');
  await dialog.getByLabel('Reason for the return').fill('Jar seal broken');
  await expect(dialog.getByRole('radio', { name: 'Debit' })).toHaveAttribute('aria-checked', 'true');
  const refundLabel = await dialog.getByRole('button', { name: /Return and refund \$/ }).innerText();
  const refund = /\$[\d,.]+/.exec(refundLabel)![0];
  await dialog.getByLabel('Reason for the return').press('Enter');

  // A budtender needs a manager: the shared approval dialog.
  const approval = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(approval).toContainText('Jar seal broken');
  await approval.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');

  const result = page.getByTestId('return-result');
  await expect(result).toContainText(`Refund ${refund} by debit`);
  await expect(result).toContainText('Back in stock: 1 × Prairie Sunset Flower 3.5g');
  await expect(page.getByTestId('return-trace')).toContainText(/BioTrack refund: (queued, will be reported|reported)/);
  await expect(page.getByTestId('receipt')).toContainText('Returned: 1');
  await expect(page.getByTestId('receipt-return')).toContainText(`refund ${refund} by debit (Jar seal broken)`);
  await shot(page, 'checkout-return');

  // Two more than the one left is refused, with how many can still come back.
  await page.getByRole('button', { name: 'Return items…' }).click();
  await expect(dialog.getByTestId('return-left').first()).toHaveText('1');
  await dialog.getByLabel('Quantity of Prairie Sunset Flower 3.5g to return').fill('2');
  await dialog.getByLabel('Reason for the return').fill('Second jar');
  await dialog.getByRole('button', { name: /^Return/ }).click();
  await expect(dialog.getByTestId('return-problem')).toHaveText('Prairie Sunset Flower 3.5g: only 1 of 2 can still be returned (1 already returned).');
  await expect(approval).toHaveCount(0);
  await shot(page, 'checkout-return-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('receipt-return')).toHaveCount(1);

  // The return took back its share of the sale's points: the profile's points history says so.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search', { exact: true }).fill('Rosa Delgado');
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Rosa Delgado/ }).click();
  const history = page.getByRole('table', { name: 'Points history' });
  await expect(history.getByRole('row').nth(1)).toContainText('Items returned from receipt #1: Jar seal broken');
  await expect(history.getByRole('row').nth(1)).toContainText(/-\d+/);
  await expect(history).toContainText('Earned on a sale');
});
