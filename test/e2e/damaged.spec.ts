import { expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, startHost } from './host';
import { expectLoginScreen, expectShell, logIn, shot, typePin } from './screens';

test('a damaged database is shown with its backups, and a manager restoring one brings the register back', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'register-e2e-damaged-'));
  try {
    // A first start creates the demo store and is used a little; stopping it writes a backup.
    const first = await startHost({ dataDir });
    await logIn(page, first.url, demo.manager.pin, demo.manager.name);
    await first.stop();
    expect(existsSync(join(dataDir, 'backups')) && readdirSync(join(dataDir, 'backups')).length, 'a backup written at close').toBeTruthy();
    writeFileSync(join(dataDir, 'register.sqlite'), 'scrambled'.repeat(1000));

    const host = await startHost({ dataDir });
    try {
      await page.goto(host.url);
      await expect(page.getByRole('heading', { name: "The register's database is damaged" })).toBeVisible();
      await expect(page.getByText('Newest good backup', { exact: true })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
      await shot(page, 'damaged');

      // No one can log in to a damaged store: a manager of the backup's store approves the restore.
      await page.getByRole('button', { name: 'Restore this backup' }).first().click();
      const approval = page.getByLabel("A manager of this backup's store enters their PIN");
      await expect(approval).toBeFocused();
      await page.keyboard.type(demo.budtender.pin);
      await page.keyboard.press('Enter');
      await expect(page.getByText("That is not the PIN of a manager of this backup's store.")).toBeVisible();
      await shot(page, 'damaged-restore-pin');
      await page.keyboard.type(demo.manager.pin);
      await page.keyboard.press('Enter');
      await expectLoginScreen(page);
      await typePin(page, demo.budtender.pin);
      await expectShell(page, demo.budtender.name);
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
