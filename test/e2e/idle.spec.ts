import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { expectShell, logIn, typePin } from './screens';

const host = useHost({ idleLockMs: 2_000 });

test('the register locks by itself after the idle time', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await expect(page.getByRole('heading', { name: 'Register locked' })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText('Locked after a while without activity')).toBeVisible();
  await expect(page.getByText(`In use by ${demo.budtender.name}`)).toBeVisible();

  await typePin(page, demo.budtender.pin);
  await expectShell(page, demo.budtender.name);
});
