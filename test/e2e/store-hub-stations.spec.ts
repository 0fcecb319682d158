/**
 * Two stations on a live store hub (real PostgreSQL), each its own browser host with its own data
 * folder (copies of one demo store, as one store's stations are), each in its own browser context,
 * both paired through Settings › Store hub: a customer checked in at the intake desk shows in the
 * register's queue; the register calls them (claims them on the hub) and the intake desk sees who
 * is serving them; a customer edit at the register reaches the intake desk; and the merges the hub
 * recorded (an older edit that lost, two sign-ups of one person) are listed for a manager.
 */
import { expect, test, type Page } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { demo, startHost, type RunningHost } from './host';
import { logIn } from './screens';
import { keepShot } from './tablet-support';
import { pairedStation, startTestHub, type TestHub, type TestStation } from '../support/hub-server';

test.describe.configure({ timeout: 300_000 });

let hub: TestHub | undefined;
let intake: RunningHost | undefined;
let register: RunningHost | undefined;
let other: TestStation | undefined;
const folders: string[] = [];

test.afterAll(async () => {
  other?.close();
  await intake?.stop();
  await register?.stop();
  hub?.hub.pool.on('error', () => undefined);
  await hub?.stop().catch(() => undefined);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).click();

async function pair(page: Page, name: string, role: 'Register' | 'Intake desk'): Promise<void> {
  await nav(page, 'Settings');
  const panel = page.getByTestId('store-hub-panel');
  const { code } = await hub!.hub.newPairingCode();
  await panel.getByLabel('Hub address').fill(`127.0.0.1:${hub!.hub.port}`);
  await panel.getByLabel('Pairing code').fill(code);
  await panel.getByLabel("This station's name").fill(name);
  await panel.getByRole('radiogroup', { name: 'Role' }).getByLabel(role).check();
  await panel.getByRole('button', { name: 'Pair with the hub' }).click();
  await expect(panel.getByTestId('hub-status')).toContainText(`Connected to the store hub at 127.0.0.1:${hub!.hub.port} as ${name}`, { timeout: 30_000 });
}

async function goQueue(page: Page): Promise<void> {
  await nav(page, 'Queue');
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
}

const tile = (page: Page, name: string) => page.getByRole('list', { name: 'Checked-in customers' }).getByTestId('queue-entry').filter({ hasText: name });

test('an intake desk and a register share the queue through the hub: check-in, who serves, an edit, and the merges listed for a manager', async ({ browser }) => {
  hub = await startTestHub();
  // One demo store, made once and copied for each station (ids included).
  const base = mkdtempSync(join(tmpdir(), 'hub-e2e-store-'));
  folders.push(base);
  const seed = await startHost({ dataDir: join(base, 'store') });
  await seed.stop();
  for (const station of ['intake', 'register']) cpSync(join(base, 'store'), join(base, station), { recursive: true, filter: (source) => !source.includes('backups') });
  intake = await startHost({ dataDir: join(base, 'intake') });
  register = await startHost({ dataDir: join(base, 'register') });

  const intakeContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const registerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const desk = await intakeContext.newPage();
  const counter = await registerContext.newPage();
  await logIn(desk, intake.url, demo.admin.pin, demo.admin.name);
  await logIn(counter, register.url, demo.admin.pin, demo.admin.name);
  await pair(desk, 'Intake', 'Intake desk');
  await pair(counter, 'Register 1', 'Register');

  // Intake checks Samuel in (his allotment from the state system).
  await goQueue(desk);
  await goQueue(counter);
  await desk.getByLabel('Search by name').fill('samuel');
  await desk.getByRole('list', { name: 'Matching customers' }).getByRole('button', { name: /Samuel Okafor/ }).click();
  const dialog = desk.getByRole('dialog');
  await expect(dialog.getByRole('status').filter({ hasText: 'looking up the purchase allotment' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(tile(desk, 'Samuel Okafor')).toHaveCount(1);
  // The register's queue shows him without a reload.
  await expect(tile(counter, 'Samuel Okafor')).toHaveCount(1, { timeout: 15_000 });
  await expect(tile(counter, 'Samuel Okafor').getByTestId('queue-served-by')).toHaveCount(0);

  // The register calls him: his ticket opens, and the hub gives this register his claim.
  await counter.getByRole('button', { name: "Open Samuel Okafor's ticket at the Register" }).click();
  await expect(counter.getByRole('main')).toContainText('Samuel Okafor');
  // The intake desk sees who is serving him.
  await expect(tile(desk, 'Samuel Okafor').getByTestId('queue-served-by')).toHaveText('Being served at Register 1', { timeout: 15_000 });
  await keepShot(desk, 'store-hub-intake-being-served');
  await keepShot(counter, 'store-hub-register-serving');

  // A customer edit at the register reaches the intake desk.
  await nav(counter, 'Customers');
  await counter.getByLabel('Search', { exact: true }).fill('Okafor');
  await counter.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /Samuel Okafor/ }).first().click();
  await counter.getByRole('button', { name: 'Edit', exact: true }).click();
  await counter.getByLabel('Nickname').fill('Sam');
  await counter.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(counter.getByRole('heading', { level: 1, name: 'Samuel "Sam" Okafor' })).toBeVisible();
  await nav(desk, 'Customers');
  await desk.getByLabel('Search', { exact: true }).fill('Okafor');
  await expect(desk.getByRole('list', { name: 'Search results' })).toContainText('Samuel "Sam" Okafor', { timeout: 15_000 });

  // A third station, cut off for a while, sends an older nickname (the later edit, Sam, is kept) and
  // two sign-ups of one walk-in (the same ID): the hub lists both for a manager.
  other = await pairedStation(hub.hub, 'Register 3');
  const { rows } = await hub.hub.pool.query<{ id: string }>("SELECT id FROM customers WHERE data ->> 'lastName' = 'Okafor'");
  const samuelId = rows[0]!.id;
  const older = Date.now() - 10 * 60_000;
  const walkIn = (id: string) =>
    other!.command({
      kind: 'customer.upsert',
      payload: {
        customerId: id,
        identityKey: 'walk-in-licence-key',
        createdAt: older,
        fields: { customerType: 'adult_use', firstName: 'Jordan', lastName: 'Twice', dateOfBirth: '1990-02-03', licenceState: 'IL', profile: {} },
      },
    }, older);
  const pushed = await other.push([
    other.command({ kind: 'customer.upsert', payload: { customerId: samuelId, identityKey: null, createdAt: older, fields: { nickname: 'Sammy' } } }, older),
    walkIn(ulid(older)),
    walkIn(ulid(older + 1)),
  ]);
  expect(pushed.acks.map((a) => a.status)).toEqual(['applied', 'applied', 'applied']);

  await nav(desk, 'Settings');
  const merges = desk.getByTestId('hub-merges');
  const conflict = merges.getByTestId('hub-conflict').filter({ hasText: 'Samuel Okafor' });
  await expect(conflict).toHaveCount(1, { timeout: 15_000 });
  await expect(conflict).toContainText('Nickname');
  await expect(conflict.locator('td').nth(2)).toHaveText(/^Sam\b/);
  await expect(conflict.locator('td').nth(3)).toContainText('Sammy');
  await expect(conflict.locator('td').nth(3)).toContainText('Register 3');
  await expect(merges.getByTestId('hub-merge')).toHaveCount(1);
  await expect(merges.getByTestId('hub-merge')).toContainText('Jordan Twice');
  await merges.scrollIntoViewIfNeeded();
  await keepShot(desk, 'store-hub-merges-for-manager');

  await intakeContext.close();
  await registerContext.close();
});
