import { expect, test, type Page } from '@playwright/test';
import { demo, useHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

const sections = ['Customers', 'Queue', 'Register', 'Till', 'Sync', 'Settings'];
async function go(page: Page, name: string): Promise<void> {
  const button = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('each section opens from the navigation, and none is a placeholder any more', async ({ page }) => {
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  for (const nav of sections) {
    await go(page, nav);
    await expect(page.getByText(/arrive with the .* issue/)).toHaveCount(0);
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
