import { expect, test } from '@playwright/test';
import { demo, useHost } from './host';
import { expectLoginScreen, shot, typePin } from './screens';

// Its own host: the lockout would otherwise spill into other spec files.
const host = useHost();

test('five wrong PINs lock the register out, with the seconds to wait shown', async ({ page }) => {
  await page.goto(host().url);
  await expectLoginScreen(page);
  const alert = page.getByRole('alert');
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    await typePin(page, '9876');
    await expect(alert).toContainText(`${5 - attempt} ${5 - attempt === 1 ? 'try' : 'tries'} left`);
  }
  await typePin(page, '9876');
  await expect(alert).toContainText('Too many wrong PINs');
  await expect(alert).toContainText(/Try again in \d+ seconds?/);
  await shot(page, 'lockout');

  // The countdown moves.
  const first = Number(/in (\d+) second/.exec((await alert.textContent()) ?? '')?.[1]);
  await expect
    .poll(async () => Number(/in (\d+) second/.exec((await alert.textContent()) ?? '')?.[1]), { timeout: 5_000 })
    .toBeLessThan(first);

  // Even the right PIN waits until the lockout is over.
  await typePin(page, demo.budtender.pin);
  await expect(alert).toContainText('Too many wrong PINs');
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
});
