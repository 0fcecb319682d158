import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { expectLoginScreen, expectShell, logIn, shot, tapPin, typePin } from './screens';

const host = useHost();

test('the Lock button locks the register and the right PIN unlocks it', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue' }).click();
  await page.getByRole('button', { name: 'Lock' }).click();

  await expect(page.getByRole('heading', { name: 'Register locked' })).toBeVisible();
  await expect(page.getByText(`In use by ${demo.budtender.name}`)).toBeVisible();
  await expect(page.getByLabel('Enter a PIN to unlock')).toBeFocused();
  await shot(page, 'locked');

  await typePin(page, '9876');
  await expect(page.getByRole('alert')).toContainText('That PIN is not right');
  await expect(page.getByRole('heading', { name: 'Register locked' })).toBeVisible();

  await tapPin(page, demo.budtender.pin, 'Unlock');
  await expectShell(page, demo.budtender.name);
  // Back where the person was.
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
});

test('"Switch employee" on the lock screen goes back to the login', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Register locked' })).toBeVisible();
  await page.getByRole('button', { name: 'Switch employee' }).click();
  await expectLoginScreen(page);
  await typePin(page, demo.manager.pin);
  await expectShell(page, demo.manager.name);
});
