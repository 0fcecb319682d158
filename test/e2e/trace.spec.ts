import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { demo, useHost, type RunningHost } from './host';
import { expectShell, logIn, shot, typePin } from './screens';

const host = useHost();

/** The embedded sandbox's harness address, read from the admin's settings over the host's WebSocket. */
async function sandboxHarness(running: RunningHost): Promise<string> {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/api?token=${running.token}`, { origin: `http://127.0.0.1:${running.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const ask = (id: number, call: string, payload: unknown) =>
    new Promise<{ ok: boolean; value?: unknown }>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean; value?: unknown };
        if (message.id === id) {
          socket.off('message', onMessage);
          resolve(message);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, call, payload }));
    });
  try {
    await ask(1, 'session.login', { pin: demo.admin.pin });
    const settings = await ask(2, 'trace.settings.get', {});
    const url = (settings.value as { demoSandboxUrl?: string | null } | undefined)?.demoSandboxUrl;
    if (!url) throw new Error('the demo sandbox is not running');
    return url.replace(/\/serverjson\.asp$/, '');
  } finally {
    socket.close();
  }
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('Sync: a reported sale, a refused one dismissed with a manager approval', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1100 });
  // Test sales are queued by an admin (the only one offered the demo button), then a budtender takes over.
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Sync');
  await expect(page.getByTestId('sync-summary')).toContainText('Online', { timeout: 15_000 });

  // A sale for an active card is reported; one for an expired card is refused by the state.
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  const table = page.getByTestId('sync-table');
  await expect(table.getByText('Reported')).toBeVisible({ timeout: 15_000 });
  await page.getByLabel('Demo patient card (optional)').fill('MP5T2J8K1Z');
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  await expect(table.getByText('Refused by the state')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('sync-attention')).toHaveText('1');
  await expect(page.getByTestId('status-trace')).toContainText('online');
  await shot(page, 'trace-sync-list');
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByRole('button', { name: 'Switch employee' }).click();
  await typePin(page, demo.budtender.pin);
  await expectShell(page, demo.budtender.name);
  await go(page, 'Sync');
  await expect(page.getByRole('button', { name: 'Queue a demo medical sale' })).toHaveCount(0);

  // Needs attention shows only the refused one; its detail says why.
  await page.getByRole('button', { name: /Needs attention/ }).click();
  await expect(table.getByRole('row')).toHaveCount(2); // header + one sale
  await table.getByText('Refused by the state').click();
  const detail = page.getByTestId('sync-detail');
  await expect(detail).toContainText('The card has expired.');
  await shot(page, 'trace-sync-rejected-detail');

  // A budtender may not dismiss it alone: a manager approves with their PIN.
  await detail.getByRole('button', { name: /Dismiss/ }).click();
  await page.getByLabel('Why (kept in the audit log)').fill('Card expired; patient told to renew');
  await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Manager approval' })).toBeVisible();
  await page.getByRole('listitem').filter({ hasText: demo.manager.name }).click();
  await page.keyboard.type(demo.manager.pin);
  await page.keyboard.press('Enter');
  await expect(page.getByText('Dismissed: it will not be reported.')).toBeVisible();
  await page.getByRole('button', { name: 'Dismissed', exact: true }).click();
  await expect(table.getByText('Dismissed')).toBeVisible();
  await table.getByRole('row').nth(1).click();
  await expect(detail).toContainText(`approved by ${demo.manager.name}`);
  await shot(page, 'trace-sync-dismissed');
});

test('Sync: a sale two BioTrack sales match equally is explained and waits for a manager, never sent again', async ({ page }) => {
  test.setTimeout(120_000);
  // BioTrack records both sales but the answers are lost; it stamps them with their sale time, seconds apart.
  const harness = await sandboxHarness(host());
  const faults = await fetch(`${harness}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ modes: { sessiontime: 'sale_time' }, rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', times: 2, delayMs: 50 }] }),
  });
  expect(faults.ok).toBe(true);
  await page.setViewportSize({ width: 1500, height: 1700 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Sync');
  // Two identical sales for the same patient: same items, prices, card and register.
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  const table = page.getByTestId('sync-table');
  await expect(table.getByText('Needs a manager')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('sync-attention')).toHaveText('2');
  await table.getByText('Needs a manager').first().click();
  const detail = page.getByTestId('sync-detail');
  await expect(page.getByTestId('sync-explanation')).toContainText('The register will not send it again');
  const candidates = page.getByTestId('sync-candidates');
  await expect(candidates.getByRole('listitem')).toHaveCount(2); // both BioTrack sales
  await shot(page, 'trace-sync-needs-person');
  // The manager says which one it is: the sale is reported, nothing was sent again.
  await candidates.getByRole('button', { name: 'This is the one' }).first().click();
  await expect(page.getByText(/Recorded as BioTrack sale/)).toBeVisible();
  await expect(detail).toContainText('Reported');
  await expect(page.getByTestId('sync-attention')).toHaveText('1');
});

test('Sync: a sale whose answer was lost says it is being checked in BioTrack before anything is sent again', async ({ page }) => {
  // BioTrack records the sale but the answer never arrives: the register cannot know, so it waits to look it up.
  const harness = await sandboxHarness(host());
  const faults = await fetch(`${harness}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', times: 1, delayMs: 50 }] }),
  });
  expect(faults.ok).toBe(true);
  await page.setViewportSize({ width: 1500, height: 1300 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Sync');
  await page.getByRole('button', { name: 'Queue a demo medical sale' }).click();
  const table = page.getByTestId('sync-table');
  await expect(table.getByText('Checking outcome')).toHaveCount(1, { timeout: 30_000 });
  await table.getByText('Checking outcome').click();
  await expect(page.getByTestId('sync-explanation')).toContainText('may or may not be in BioTrack');
  await expect(page.getByTestId('sync-explanation')).toContainText("look for it in BioTrack's records before sending anything again");
  await expect(page.getByTestId('sync-detail')).toContainText('not yet');
  await shot(page, 'trace-sync-unknown');
});

test('Check-in: a BioTrack answer the register cannot read is said so, never taken for an active card; the raw fields for a manager', async ({ page }) => {
  const harness = await sandboxHarness(host());
  const canned = await fetch(`${harness}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cannedLookups: [{ success: 1, patient_card: 'MP7K2Q9X4D', patient_status: 'ACTIVE', available_allotment: '70.87', allotment_uom: 'g' }] }),
  });
  expect(canned.ok).toBe(true);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.manager.pin, demo.manager.name);
  await go(page, 'Queue');
  await page.getByLabel('Search by name').fill('rosa');
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Rosa Delgado/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('BioTrack answered, but not in a form the register understands.', { exact: true })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
  await dialog.getByText('What BioTrack sent (for a manager)').click();
  await expect(dialog.getByTestId('state-answer')).toContainText('patient_status');
  await expect(dialog.getByTestId('state-answer')).toContainText('ACTIVE');
  await shot(page, 'trace-checkin-unreadable');
});

test('Settings › Track & Trace: the demo sandbox, test connection, password never shown', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1600 });
  await logIn(page, host().url, demo.admin.pin, demo.admin.name);
  await go(page, 'Settings');
  const panel = page.getByTestId('trace-settings');
  await expect(panel.getByLabel('Provider')).toHaveValue('biotrack_v1');
  await expect(panel.getByLabel('Password')).toHaveValue('');
  await expect(panel.getByLabel('Password')).toHaveAttribute('placeholder', 'saved (type to replace)');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Connected to BioTrack');
  await panel.getByLabel('Password').fill('wrong-password');
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('refused the login');
  await panel.getByLabel('Password').fill('');
  await panel.getByLabel('Training mode (BioTrack records nothing for real)').check();
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('trace-settings-message')).toContainText('Saved');
  // Advanced (admin only): the evidence's defaults, changeable here.
  const advanced = page.getByTestId('trace-advanced');
  await expect(advanced.getByLabel('Nonce on each request')).toHaveValue('fresh');
  await expect(advanced.getByLabel('How a sale names the patient')).toHaveValue('both');
  await advanced.getByLabel('Check an unanswered sale after (seconds)').fill('90');
  await advanced.getByRole('button', { name: 'Save advanced settings' }).click();
  await expect(page.getByTestId('trace-advanced-message')).toContainText('Saved');
  await panel.scrollIntoViewIfNeeded();
  await shot(page, 'trace-settings');
});
