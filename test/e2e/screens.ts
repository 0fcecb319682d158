/** Small helpers the specs share: reaching each screen and saving screenshots to look at. */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './host';

export const screenshotDir = join(repoRoot, 'test', 'e2e', 'screenshots');

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

export function pinField(page: Page) {
  return page.getByLabel(/Enter (your|a) PIN/);
}

export async function expectLoginScreen(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(pinField(page)).toBeFocused();
}

/** Taps the PIN on the on-screen keypad, then the submit button (Log in or Unlock). */
export async function tapPin(page: Page, pin: string, submit: 'Log in' | 'Unlock' = 'Log in'): Promise<void> {
  const keypad = page.getByRole('group', { name: 'Keypad' });
  for (const digit of pin) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await page.getByRole('button', { name: submit, exact: true }).click();
}

/** Types the PIN on the keyboard and presses Enter, as a person would without touching the screen. */
export async function typePin(page: Page, pin: string): Promise<void> {
  await expect(pinField(page)).toBeFocused();
  await page.keyboard.type(pin);
  await page.keyboard.press('Enter');
}

export async function expectShell(page: Page, employeeName: string): Promise<void> {
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByTestId('status-employee')).toContainText(employeeName);
}

export async function logIn(page: Page, url: string, pin: string, employeeName: string): Promise<void> {
  await page.goto(url);
  await expectLoginScreen(page);
  await typePin(page, pin);
  await expectShell(page, employeeName);
}
