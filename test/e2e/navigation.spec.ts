import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

const placeholders: Array<{ nav: string; says: RegExp }> = [
  { nav: 'Customers', says: /Customers: intake, profiles and search arrive with the Customers issue/ },
  { nav: 'Queue', says: /Queue: .*arrive with the Check-in and queue issue/ },
  { nav: 'Register', says: /Register: .*arrive with the Checkout issue/ },
  { nav: 'Sync', says: /Sync: .*arrive with the BioTrack issue/ },
  { nav: 'Settings', says: /Settings: .*arrive with later issues/ },
];

async function go(page: Page, name: string): Promise<void> {
  const button = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('each section shows its placeholder, saying which work fills it', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  for (const { nav, says } of placeholders) {
    await go(page, nav);
    await expect(page.getByText(says)).toBeVisible();
  }
  // A budtender is not shown the employees or the audit log.
  await expect(page.getByText('Employees and the audit log are shown to managers.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify audit log' })).toHaveCount(0);
});

test('a manager sees the employees, recent audit events and can verify the audit log', async ({ page }) => {
  // Tall enough to show the whole screen in one picture.
  await page.setViewportSize({ width: 1280, height: 1200 });
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  await go(page, 'Settings');
  const staff = page.getByRole('region', { name: 'Employees' });
  for (const who of [demo.budtender, demo.manager, demo.admin]) {
    await expect(staff.getByRole('cell', { name: who.name })).toBeVisible();
  }
  const audit = page.getByRole('region', { name: 'Audit log' });
  await expect(audit.getByRole('cell', { name: demo.manager.name }).first()).toBeVisible();
  await audit.getByRole('button', { name: 'Verify audit log' }).click();
  await expect(audit.getByRole('status')).toContainText(/The audit log is intact: \d+ events checked/);
  await shot(page, 'settings');
});

test('the status bar shows the employee, devices and track-and-trace', async ({ page }) => {
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await expect(page.getByTestId('status-employee')).toContainText(demo.admin.name);
  await expect(page.getByTestId('status-employee')).toContainText('admin');
  await expect(page.getByTestId('status-devices')).toHaveText(/Devices:\s*(No devices configured|.+)/);
  await expect(page.getByTestId('status-trace')).toHaveText(
    /Track-and-trace.*: (online|offline|checking…|not configured)/,
  );
});
