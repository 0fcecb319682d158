import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

test('a manager approves one action for a budtender with their PIN, chosen from tiles', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Ask a manager to show recent events' }).click();

  const dialog = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(dialog).toBeVisible();
  // Only employees with the Manager Override permission are offered.
  const tiles = dialog.getByRole('list', { name: 'Who approves' }).getByRole('listitem');
  await expect(tiles).toHaveCount(2);
  await expect(dialog.getByRole('listitem').filter({ hasText: 'Bea Budtender' })).toHaveCount(0);
  await shot(page, 'override-tiles');

  await dialog.getByRole('listitem').filter({ hasText: 'Max Manager' }).click();
  await page.keyboard.type('1111');
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert')).toContainText("That is not Max Manager's PIN");

  await dialog.getByRole('button', { name: 'Clear' }).click();
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  const events = page.getByRole('table', { name: 'Recent events' });
  await expect(events).toBeVisible();
  await expect(events).toContainText('staff override granted');
  await shot(page, 'override-approved');
});

test('a PIN typed before anyone is picked is not kept: the box says to pick who approves first', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Ask a manager to show recent events' }).click();
  const dialog = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(dialog.getByRole('list', { name: 'Who approves' }).getByRole('listitem')).toHaveCount(2);
  await expect(dialog.getByRole('alert')).toHaveCount(0);

  // The manager's PIN typed straight away: nothing is approved, the box says what to do.
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('Pick who approves first: tap your name, then enter your PIN. The digits typed so far were not kept.');
  await expect(dialog).toBeVisible();
  await expect(page.getByRole('table', { name: 'Recent events' })).toHaveCount(0);
  await shot(page, 'override-pick-first');

  // Picked: the PIN field starts empty (the early digits were not carried over) and the PIN approves.
  await dialog.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.getByLabel(`${demo.manager.name}'s PIN`)).toHaveValue('');
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Recent events' })).toContainText('staff override granted');
});
