import { expect, test } from '@playwright/test';
import { demo, startHost, useHost } from './host';
import { expectShell, logIn, shot } from './screens';

const host = useHost();

test('a page opened without the token cannot connect and says why', async ({ page }) => {
  await page.goto(host().origin);
  await expect(page.getByRole('alert')).toHaveText('This address needs the link the register printed, with its token.');
  await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
});

test('a page with a wrong token never reaches the login', async ({ page }) => {
  await page.goto(`${host().origin}?token=not-the-token`);
  await expect(page.getByRole('heading', { name: 'Cannot reach the register' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('alert')).toContainText('open the new link it printed');
  await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
});

test('when the register stops answering, the page says it is reconnecting', async ({ page }) => {
  // Its own host, since this test stops it.
  const own = await startHost();
  try {
    await logIn(page, own.url, demo.budtender.pin, demo.budtender.name);
    await own.stop();
    await expect(page.getByRole('status').filter({ hasText: 'Reconnecting to the register…' })).toBeVisible();
  } finally {
    await own.stop();
  }
});

test('a screen past the register\'s screen limit is told why, and gets in when another leaves', async ({ browser }) => {
  const own = await startHost({ env: { REGISTER_MAX_SCREENS: '1' } });
  const first = await browser.newPage();
  const second = await browser.newPage();
  try {
    await logIn(first, own.url, demo.budtender.pin, demo.budtender.name);
    await second.goto(own.url);
    await expect(second.getByRole('heading', { name: 'The register cannot take this screen yet' })).toBeVisible();
    await expect(second.getByRole('alert')).toContainText('Too many screens are connected to this register');
    await shot(second, 'connection-too-many-screens');
    // The first screen is untouched.
    await expectShell(first, demo.budtender.name);

    await first.close();
    await expect(second.getByRole('heading', { name: 'Log in' })).toBeVisible({ timeout: 20_000 });
  } finally {
    await second.close();
    if (!first.isClosed()) await first.close();
    await own.stop();
  }
});
