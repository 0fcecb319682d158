/**
 * Check-in and the live queue in two browser windows of one register (the real browser host,
 * the demo store and its embedded BioTrack sandbox).
 */
import { expect, test, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { ulid } from 'ulid';
import { demo, useHost, type RunningHost } from './host';
import { logIn, shot } from './screens';

const host = useHost();

async function goQueue(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Queue', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
}

function queueNames(page: Page) {
  return page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry');
}

async function openCheckIn(page: Page, search: string, name: string): Promise<void> {
  await page.getByLabel('Search by name').fill(search);
  await page.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'looking up the purchase allotment' })).toHaveCount(0);
}

/** A second connection to the core, over the host's own WebSocket, for what the test sets up. */
async function coreSession(running: RunningHost, pin: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/api?token=${running.token}`, { origin: `http://127.0.0.1:${running.port}` });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const ask = (call: string, payload: unknown) =>
    new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
      const id = next++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; ok: boolean; value?: unknown; error?: { message: string } };
        if (message.id === id) {
          socket.off('message', onMessage);
          resolve(message);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, call, payload }));
    });
  const login = await ask('session.login', { pin });
  if (!login.ok) throw new Error(`login failed: ${login.error?.message}`);
  return { ask, close: () => socket.close() };
}

/** The sandbox's harness address (the admin's Track & Trace settings name the sandbox). */
async function sandboxHarness(running: RunningHost): Promise<string> {
  const core = await coreSession(running, demo.admin.pin);
  try {
    const settings = await core.ask('trace.settings.get', {});
    const url = (settings.value as { demoSandboxUrl?: string | null } | undefined)?.demoSandboxUrl;
    if (!url) throw new Error('the demo sandbox is not running');
    return url.replace(/\/serverjson\.asp$/, '');
  } finally {
    core.close();
  }
}

/** Milliseconds until `page` shows `count` queue entries, polled every animation frame. */
async function untilCount(page: Page, count: number): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    (expected) => document.querySelectorAll('[aria-label="Checked-in customers"] [data-testid="queue-entry"]').length === expected,
    count,
    { polling: 'raf', timeout: 5_000 },
  );
  return Date.now() - started;
}

test('two windows show the same queue live: check-in with the BioTrack allotment, nesting, reorder by keyboard, removal', async ({ browser }) => {
  const first = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const second = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(first, host().url, demo.budtender.pin, demo.budtender.name);
  await logIn(second, host().url, demo.manager.pin, demo.manager.name);
  await goQueue(first);
  await goQueue(second);

  // A medical patient: the remaining allotment comes from BioTrack; lowering it is allowed.
  await openCheckIn(first, 'rosa', 'Rosa Delgado');
  const dialog = first.getByRole('dialog');
  await expect(dialog.getByText('BioTrack', { exact: true })).toBeVisible();
  const allotment = dialog.getByRole('textbox', { name: /Usable cannabis/ });
  await expect(allotment).toHaveValue('70.870');
  await allotment.fill('80');
  await expect(dialog.getByText(/Above the limit of 70\.870 g/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
  await allotment.fill('50.5');
  await shot(first, 'queue-checkin-biotrack');
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(queueNames(first)).toHaveCount(1);
  // The other window shows it without reloading.
  await expect(queueNames(second).filter({ hasText: 'Rosa Delgado' })).toContainText('50.500 g');

  // Adult use: the legal limits; a caregiver, then her patient nested under her.
  for (const [search, name] of [['olivia', 'Olivia Hart'], ['grace', 'Grace Chen']] as const) {
    await openCheckIn(first, search, name);
    await first.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
    await expect(first.getByRole('dialog')).toHaveCount(0);
  }
  await expect(queueNames(second)).toHaveCount(3);

  // Refused: an expired identification.
  await openCheckIn(first, 'gavin', 'Gavin Reyes');
  await expect(first.getByRole('dialog').getByRole('alert')).toContainText("Gavin Reyes's ID expired on 07/21/2024: scan their renewed licence or state ID at Customers (it updates the profile) before checking them in.");
  await expect(first.getByRole('dialog').getByRole('button', { name: 'Check in' })).toBeDisabled();
  await shot(first, 'queue-checkin-refused');
  await first.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  // Keyboard reordering: Grace (last) up two places.
  // One place per pick-up, each move confirmed on screen before the next: two quick arrow keys
  // can land before dnd-kit has measured the first move.
  const graceHandle = first.getByRole('button', { name: /Move Grace Chen/ });
  // dnd-kit marks the handle aria-pressed while it is picked up: wait for that before moving, and
  // for it to clear after dropping, so a slow machine never gets keys ahead of the drag.
  const liveRegion = first.locator('[id^="DndLiveRegion"]');
  for (const [expectedIndex, passing] of [[1, 'Olivia Hart'], [0, 'Rosa Delgado']] as const) {
    await graceHandle.focus();
    await first.keyboard.press('Space');
    await expect(graceHandle).toHaveAttribute('aria-pressed', 'true');
    // On pick-up dnd-kit at once reports the tile over its own place: that is not a move.
    await expect(liveRegion).toContainText(`Grace Chen is at place ${expectedIndex + 2}`);
    // dnd-kit measures where it may drop in the frames after the pick-up: let two frames pass.
    await first.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    await first.keyboard.press('ArrowUp');
    // Drop only once the move is over the customer being passed, never on a stale or self-over announcement.
    await expect(liveRegion).toContainText(`Grace Chen moved to place ${expectedIndex + 1}, where ${passing} is`);
    await first.keyboard.press('Space');
    await expect(graceHandle).not.toHaveAttribute('aria-pressed', 'true');
    await expect(queueNames(first).nth(expectedIndex)).toHaveText(/Grace Chen/);
  }
  const order = ['Grace Chen', 'Rosa Delgado', 'Olivia Hart'];
  await expect(queueNames(first)).toHaveText(order.map((name) => new RegExp(name)));
  await expect(queueNames(second)).toHaveText(order.map((name) => new RegExp(name)));
  await shot(second, 'queue-two-windows');

  // X on the second window removes Olivia from both.
  await second.getByRole('button', { name: 'Remove Olivia Hart from the queue' }).click();
  const caughtUp = await untilCount(first, 2);
  // Measured, not asserted (no timing assertions in tests): the bound is 200 ms.
  console.log(`queue.e2e: the other window showed the removal ${caughtUp} ms after the click returned`);
  test.info().annotations.push({ type: 'live sync', description: `${caughtUp} ms` });
  await expect(queueNames(first)).toHaveCount(2);
  await expect(queueNames(first).filter({ hasText: 'Olivia Hart' })).toHaveCount(0);

  // The trash is hidden until a manager turns the setting on.
  await expect(first.getByRole('button', { name: 'Clear the whole queue' })).toHaveCount(0);
  await second.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings', exact: true }).click();
  await second.getByLabel('Show Clear Queue button at Intake').check();
  await expect(second.getByRole('region', { name: 'Queue' }).getByRole('status')).toHaveText('Saved.');
  await expect(first.getByRole('button', { name: 'Clear the whole queue' })).toBeVisible();
  await shot(first, 'queue');

  // Choosing a customer opens their ticket at the Register.
  await first.getByRole('button', { name: "Open Rosa Delgado's ticket at the Register" }).click();
  await expect(first.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Register', exact: true })).toHaveAttribute('aria-current', 'page');
  // The Register (checkout) takes the selection and opens the customer's ticket.
  await expect(first.getByRole('main')).toContainText('Rosa Delgado');
  await shot(first, 'queue-opened-at-register');

  // Clearing empties both windows.
  await goQueue(first);
  await first.getByRole('button', { name: 'Clear the whole queue' }).click();
  await first.getByRole('dialog').getByRole('button', { name: 'Clear the queue' }).click();
  await goQueue(second);
  await expect(queueNames(second)).toHaveCount(0);
  await expect(second.getByText('Nobody is waiting.')).toBeVisible();
});

test('a caregiver checks in without an allotment of her own; BioTrack offline shows the red Offline mark and asks for the medical ID', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await goQueue(page);
  await openCheckIn(page, 'henry', 'Henry Alvarez');
  await expect(page.getByRole('dialog')).toContainText('A caregiver buys on the patient');
  await page.getByRole('dialog').getByRole('button', { name: 'Check in' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // A draft saved at another screen appears in orange above the queue.
  const intake = await coreSession(host(), demo.budtender.pin);
  const draft = await intake.ask('customers.saveDraft', { commandId: ulid(), draftId: null, customerId: null, title: 'Walk-in: Jamie (scan pending)', form: {} });
  intake.close();
  expect(draft.ok).toBe(true);
  await expect(page.getByRole('list', { name: 'Drafts' })).toContainText('Walk-in: Jamie (scan pending)');
  await shot(page, 'queue-with-draft');

  const harness = await sandboxHarness(host());
  const fault = await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify({ rules: [{ action: 'card_lookup', fault: 'offline', times: 0 }] }) });
  expect(fault.ok).toBe(true);
  try {
    await openCheckIn(page, 'samuel', 'Samuel Okafor');
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByText('Offline', { exact: true })).toBeVisible();
    // Illinois sells while the state system is down: the medical ID first, then the figure.
    await expect(dialog.getByLabel('Confirm the medical ID')).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Check in' })).toBeDisabled();
    await shot(page, 'queue-checkin-offline');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    await fetch(`${harness}/__faults`, { method: 'POST', body: JSON.stringify({ clear: true }) });
  }
  await expect(queueNames(page)).toHaveCount(1);
});
