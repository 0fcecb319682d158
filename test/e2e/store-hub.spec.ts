/**
 * Settings › Store hub in Chromium against the browser host and a live hub (real PostgreSQL): pair
 * with the one-time code the hub shows, see it connected, then the banner on every screen once the
 * hub stops answering.
 */
import { expect, test } from '@playwright/test';
import { demo, startHost, type RunningHost } from './host';
import { logIn } from './screens';
import { keepShot } from './tablet-support';
import { startTestHub, type TestHub } from '../support/hub-server';

test.describe.configure({ timeout: 240_000 });

let hub: TestHub | undefined;
let host: RunningHost | undefined;

test.afterAll(async () => {
  await host?.stop();
  hub?.hub.pool.on('error', () => undefined);
  await hub?.stop().catch(() => undefined);
});

test('pairs a register with the store hub, then shows the hub offline on every screen', async ({ page }) => {
  hub = await startTestHub();
  host = await startHost();
  await logIn(page, host.url, demo.admin.pin, demo.admin.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
  const panel = page.getByTestId('store-hub-panel');
  await expect(panel.getByTestId('hub-status')).toContainText('no store hub is paired');
  await panel.scrollIntoViewIfNeeded();
  await keepShot(page, 'store-hub-unpaired');

  const { code } = await hub.hub.newPairingCode();
  await panel.getByLabel('Hub address').fill(`127.0.0.1:${hub.hub.port}`);
  await panel.getByLabel('Pairing code').fill(code);
  await panel.getByLabel("This station's name").fill('Register 2');
  await panel.getByRole('button', { name: 'Pair with the hub' }).click();
  await expect(panel.getByTestId('hub-status')).toContainText('Connected to the store hub', { timeout: 30_000 });
  await keepShot(page, 'store-hub-paired');

  await hub.hub.pool.on('error', () => undefined);
  await hub.stop();
  hub = undefined;
  await expect(page.getByTestId('hub-banner')).toContainText(/Store hub offline since \d{1,2}:\d{2}/, { timeout: 30_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await expect(page.getByTestId('hub-banner')).toBeVisible();
  await keepShot(page, 'store-hub-offline-banner');
});
