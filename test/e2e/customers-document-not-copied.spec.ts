/**
 * A customer document added at another station, on a live store hub (real PostgreSQL): two browser
 * hosts with their own data folders (copies of one demo store), each paired through Settings ›
 * Store hub. The intake desk uploads a medical card to Olivia Hart's profile; while the hub does
 * not hold its file (taken out of the hub's files/ folder here, as when the intake desk could not
 * send it yet), the register lists the document as "Not yet copied from Intake desk" with nothing
 * to click. Once the hub holds the file again the register fetches it and the document opens.
 */
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, startHost, type RunningHost } from './host';
import { logIn } from './screens';
import { docsScreens } from './tablet-support';
import { startTestHub, type TestHub } from '../support/hub-server';
import { signaturePng } from '../support/png';

test.describe.configure({ timeout: 300_000 });

let hub: TestHub | undefined;
let intake: RunningHost | undefined;
let register: RunningHost | undefined;
const folders: string[] = [];

test.afterAll(async () => {
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

async function openProfile(page: Page, last: string, name: RegExp): Promise<void> {
  await nav(page, 'Customers');
  await page.getByLabel('Search', { exact: true }).fill(last);
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name }).first().click();
}

test('a document added at the intake desk says "Not yet copied from Intake desk" at the register until its file arrives, then opens', async ({ browser }) => {
  hub = await startTestHub();
  const base = mkdtempSync(join(tmpdir(), 'hub-e2e-documents-'));
  folders.push(base);
  const seed = await startHost({ dataDir: join(base, 'store') });
  await seed.stop();
  for (const station of ['intake', 'register']) cpSync(join(base, 'store'), join(base, station), { recursive: true, filter: (source) => !source.includes('backups') });
  intake = await startHost({ dataDir: join(base, 'intake') });
  register = await startHost({ dataDir: join(base, 'register') });

  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const counter = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await logIn(desk, intake.url, demo.admin.pin, demo.admin.name);
  await logIn(counter, register.url, demo.admin.pin, demo.admin.name);
  await pair(desk, 'Intake desk', 'Intake desk');

  // The intake desk adds a medical card to Olivia Hart's profile; its file goes to the hub.
  await openProfile(desk, 'Hart', /Olivia Hart/);
  await expect(desk.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await desk.getByLabel('Upload type').selectOption({ label: 'Medical Card' });
  const card = signaturePng(320, 200);
  const sha = createHash('sha256').update(card).digest('hex');
  await desk.getByLabel('+ Upload').setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: card });
  await expect(desk.getByRole('list', { name: 'Documents' })).toContainText('Medical Card');
  const onHub = join(hub.dataDir, 'files', sha);
  await expect.poll(() => existsSync(onHub), { timeout: 30_000 }).toBe(true);
  // The hub does not hold the file for now (as when the intake desk has not been able to send it yet).
  unlinkSync(onHub);

  // The register pairs and gets the document's record, not its file.
  await pair(counter, 'Register 1', 'Register');
  await openProfile(counter, 'Hart', /Olivia Hart/);
  const documents = counter.getByRole('list', { name: 'Documents' });
  const medicalCard = documents.getByRole('listitem').filter({ hasText: 'Medical Card' });
  await expect(medicalCard).toHaveCount(1, { timeout: 30_000 });
  await expect(medicalCard).toContainText('Not yet copied from Intake desk');
  await expect(medicalCard).toContainText('It opens here once the store hub passes it on; until then, open it at Intake desk.');
  await expect(medicalCard.getByRole('button')).toHaveCount(0);
  // The screen as staff see it (the window, the profile's heading and its documents).
  await counter.setViewportSize({ width: 1280, height: 1400 });
  await counter.getByRole('heading', { level: 1, name: 'Olivia Hart' }).scrollIntoViewIfNeeded();
  await counter.getByRole('region', { name: 'Documents' }).scrollIntoViewIfNeeded();
  await counter.screenshot({ path: join(docsScreens, 'customers-document-not-copied.png') });

  // The hub holds the file again: the register fetches it (checked by its SHA-256) and it opens.
  writeFileSync(onHub, card);
  const view = medicalCard.getByRole('button', { name: /^Show Medical Card/ });
  await expect(view).toBeVisible({ timeout: 45_000 });
  await expect(medicalCard).not.toContainText('Not yet copied');
  await view.click();
  const viewer = counter.getByRole('dialog');
  await expect(viewer.getByRole('img')).toBeVisible();
  const shown = await viewer.getByRole('img').getAttribute('src');
  expect(shown).toBe(`data:image/png;base64,${card.toString('base64')}`);
});
