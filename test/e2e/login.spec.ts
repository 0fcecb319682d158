import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { expectLoginScreen, expectShell, pinField, shot, tapPin, typePin } from './screens';

const host = useHost();

test('logs in with the on-screen keypad and shows the shell with the employee', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  // The token is kept for this tab and taken out of the address bar.
  await expect(page).not.toHaveURL(/token=/);
  await shot(page, 'login');

  await tapPin(page, demo.budtender.pin);
  await expectShell(page, demo.budtender.name);
  await expect(page.getByTestId('status-devices')).toContainText('Devices:');
  await expect(page.getByTestId('status-trace')).toContainText('Track-and-trace');
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
  await shot(page, 'shell');
});

test('logs in by typing the PIN and pressing Enter', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  await typePin(page, demo.manager.pin);
  await expectShell(page, demo.manager.name);
});

test('the keypad shows digits as dots and can clear and delete', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  const keypad = page.getByRole('group', { name: 'Keypad' });
  for (const digit of '123') await keypad.getByRole('button', { name: digit, exact: true }).click();
  await expect(pinField(page)).toHaveAttribute('type', 'password');
  await expect(pinField(page)).toHaveValue('123');
  await keypad.getByRole('button', { name: 'Delete last digit' }).click();
  await expect(pinField(page)).toHaveValue('12');
  await keypad.getByRole('button', { name: 'Clear' }).click();
  await expect(pinField(page)).toHaveValue('');
  // Letters are not digits: the field ignores them.
  await page.keyboard.type('ab1');
  await expect(pinField(page)).toHaveValue('1');
});

test('a wrong PIN is refused with the reason and the tries left', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  await typePin(page, '9876');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('That PIN is not right');
  await expect(alert).toContainText(/\d+ tries left/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(pinField(page)).toHaveValue('');
  await expect(pinField(page)).toBeFocused();

  // The right PIN still works (and resets the count).
  await typePin(page, demo.admin.pin);
  await expectShell(page, demo.admin.name);
});

test('a PIN that is too short is caught before it is sent', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  await typePin(page, '12');
  await expect(page.getByRole('alert')).toContainText('A PIN is 4 to 8 digits.');
});

test('reloading the page keeps its token and reconnects', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  await expect(page).not.toHaveURL(/token=/);
  await page.reload();
  await expectLoginScreen(page);
  await typePin(page, demo.budtender.pin);
  await expectShell(page, demo.budtender.name);
});
