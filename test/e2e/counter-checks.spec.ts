/**
 * Compliance checks at the counter, in Chromium against the real browser host (Illinois demo
 * store): a returning customer's licence rescanned updates the profile and shows what changed;
 * an under-21 or expired licence says so in plain words; saving right after typing leaves no
 * stray draft (a pending draft write dropped, one in flight waited for); a signup that duplicates
 * a profile warns and offers to open it. Screenshots in docs/screens/.
 */
import { expect, test, type Locator, type Page, type WebSocketRoute } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { modernPayload } from '../unit/licenses/build';
import { demo, repoRoot, useHost } from './host';
import { logIn, screenshotDir, shot } from './screens';

const host = useHost();

/** A screenshot kept in docs/screens/ (and test/e2e/screenshots/), of the window with `subject` scrolled into it. */
async function keep(page: Page, name: string, subject?: Locator): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  if (subject) {
    await subject.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  } else {
    await shot(page, name);
  }
  mkdirSync(join(repoRoot, 'docs', 'screens'), { recursive: true });
  copyFileSync(join(screenshotDir, `${name}.png`), join(repoRoot, 'docs', 'screens', `${name}.png`));
}

async function openCustomers(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await logIn(page, host().url, demo.budtender.pin, demo.budtender.name);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Customers', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
}

async function scan(page: Page, payload: string): Promise<void> {
  await page.getByLabel('Scan field').fill(payload);
  await page.getByRole('button', { name: 'Look up' }).click();
}

/** mmddyyyy, `years` years and `days` days before today (the store's clock is the machine's). */
function bornAgo(years: number, days: number): string {
  const date = new Date();
  date.setFullYear(date.getFullYear() - years);
  date.setDate(date.getDate() - days);
  return `${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}${date.getFullYear()}`;
}

/** Every call the page sends to the core, in order, with the answers; the calls named in `hold` are held back. */
interface Wire {
  sent: Array<{ id: number; call: string; payload: Record<string, unknown> }>;
  answers: Map<number, { ok: boolean; value?: Record<string, unknown> }>;
  hold: Set<string>;
  held: string[];
  release(): void;
}

async function recordWire(page: Page): Promise<Wire> {
  let route: { client: WebSocketRoute; server: WebSocketRoute } | null = null;
  const wire: Wire = {
    sent: [],
    answers: new Map(),
    hold: new Set(),
    held: [],
    release() {
      const held = wire.held.splice(0);
      for (const message of held) route?.server.send(message);
    },
  };
  await page.routeWebSocket(/\/api\?token=/, (client) => {
    const server = client.connectToServer();
    route = { client, server };
    client.onMessage((message) => {
      const text = String(message);
      const parsed = JSON.parse(text) as { id: number; call: string; payload: Record<string, unknown> };
      wire.sent.push(parsed);
      if (wire.hold.has(parsed.call)) wire.held.push(text);
      else server.send(text);
    });
    server.onMessage((message) => {
      const parsed = JSON.parse(String(message)) as { id?: number; ok?: boolean; value?: Record<string, unknown> };
      if (typeof parsed.id === 'number' && typeof parsed.ok === 'boolean') wire.answers.set(parsed.id, { ok: parsed.ok, value: parsed.value });
      client.send(message);
    });
  });
  return wire;
}

const drafts = (page: Page) => page.getByRole('list', { name: 'Drafts not saved yet' });

async function reopenCustomers(page: Page): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('button', { name: 'Queue', exact: true }).click();
  await nav.getByRole('button', { name: 'Customers', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
}

test('a returning customer rescanned: the ID expiration and address come from the new licence, shown old → new and in the history', async ({ page }) => {
  await openCustomers(page);
  // First visit, on last year's licence (expired since): the signup says so, with the date and what to do.
  await scan(page, modernPayload({ DAQ: 'R10000001', DCS: 'RETURNER', DAC: 'RITA', DBA: '01052026', DAG: '12 OLD ROAD', DAI: 'NORFOLK', DAK: '235100000  ' }));
  await expect(page.getByRole('heading', { level: 1, name: 'New customer' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Licence check' })).toContainText(
    'This licence expired on 01/05/2026: ask for a valid ID (a renewed licence or a state ID) before checking them in or selling.',
  );
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();

  // She comes back with the renewed licence: the scan opens her profile, updated, and says what changed.
  await scan(page, modernPayload({ DAQ: 'R10000001', DCS: 'RETURNER', DAC: 'RITA' }));
  await expect(page.getByRole('heading', { level: 1, name: 'Rita Returner' })).toBeVisible();
  const notice = page.getByRole('region', { name: 'Licence scan' });
  await expect(notice).toContainText('Updated from the licence just scanned');
  await expect(notice).toContainText('ID expiration: 01/05/2026 → 12/10/2030');
  await expect(notice).toContainText('Address of record: 12 Old Road, Norfolk, VA, 23510 → 2300 West Broad Street, Richmond, VA, 23269');
  await expect(page.getByText('12/10/2030', { exact: true })).toBeVisible();
  await expect(page.getByText(/identification expired/)).toHaveCount(0);
  const history = page.getByRole('region', { name: 'Event history' });
  await expect(history).toContainText('Updated from a licence scan');
  await expect(history).toContainText('ID expiration: 01/05/2026 → 12/10/2030');
  await keep(page, 'customers-rescan-updated', notice);

  // The same licence once more: nothing to change, and it says so.
  await page.getByRole('button', { name: '← Back' }).click();
  await scan(page, modernPayload({ DAQ: 'R10000001', DCS: 'RETURNER', DAC: 'RITA' }));
  await expect(page.getByRole('region', { name: 'Licence scan' })).toContainText('The licence just scanned matches this profile.');
});

test('an under-21 licence says the age in plain words, at the signup and on the profile', async ({ page }) => {
  await openCustomers(page);
  await scan(page, modernPayload({ DAQ: 'Y19000001', DCS: 'YOUNG', DAC: 'YARA', DBB: bornAgo(19, 10) }));
  await expect(page.getByRole('heading', { level: 1, name: 'New customer' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Licence check' })).toContainText(
    'This customer is 19 — adult-use sales need 21 or older. Serve them only as a medical patient, with a valid medical card.',
  );
  await keep(page, 'customers-scan-under-21', page.getByRole('alert').filter({ hasText: 'Licence check' }));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Yara Young' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'This customer is 19' })).toContainText('This customer is 19 — adult-use sales need 21 or older.');
  // Scanned again: the profile opens with the same words.
  await page.getByRole('button', { name: '← Back' }).click();
  await scan(page, modernPayload({ DAQ: 'Y19000001', DCS: 'YOUNG', DAC: 'YARA', DBB: bornAgo(19, 10) }));
  await expect(page.getByRole('region', { name: 'Licence scan' })).toContainText('This customer is 19 — adult-use sales need 21 or older.');
});

test('saving right after typing leaves no stray draft: a pending draft write is dropped, one in flight is waited for', async ({ page }) => {
  await page.clock.install();
  const wire = await recordWire(page);
  await openCustomers(page);

  // 1. Typed and saved at once, the save slow to answer: the draft write due meanwhile never happens.
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Quinn');
  await page.getByLabel('Last name').fill('Quick');
  await page.getByLabel('Birth date').fill('04/04/1984');
  await page.getByLabel('Birth date').press('Enter');
  wire.hold.add('customers.create');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect.poll(() => wire.held.length).toBe(1);
  await page.clock.runFor(5_000); // the draft's moment comes and goes while the save is on its way
  wire.hold.clear();
  wire.release();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  await page.clock.runFor(5_000);
  expect(wire.sent.filter((m) => m.call === 'customers.saveDraft')).toEqual([]);
  await reopenCustomers(page);
  await expect(drafts(page)).toHaveCount(0);

  // 2. Saved while a draft write is on its way: the save waits for it and names its draft, which goes with the save.
  wire.hold.add('customers.saveDraft');
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Fran');
  await page.getByLabel('Last name').fill('Flight');
  await page.getByLabel('Birth date').fill('05/05/1985');
  await page.getByLabel('Birth date').press('Enter');
  await page.clock.runFor(1_000); // the draft write starts, and is held on the wire
  await expect.poll(() => wire.held.length).toBe(1);
  const before = wire.sent.length;
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('button', { name: 'Save & Back' })).toBeDisabled();
  expect(wire.sent.slice(before).filter((m) => m.call === 'customers.create')).toEqual([]);
  wire.hold.clear();
  wire.release();
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  const draftCall = wire.sent.filter((m) => m.call === 'customers.saveDraft').at(-1)!;
  const createCall = wire.sent.filter((m) => m.call === 'customers.create').at(-1)!;
  await expect.poll(() => wire.answers.get(draftCall.id)?.ok).toBe(true);
  await expect.poll(() => wire.answers.get(createCall.id)?.ok).toBe(true);
  expect(createCall.payload.draftId).toBe(wire.answers.get(draftCall.id)?.value?.id);
  await page.clock.runFor(5_000);
  await reopenCustomers(page);
  await expect(drafts(page)).toHaveCount(0);
  expect(wire.sent.filter((m) => m.call === 'customers.saveDraft')).toHaveLength(1);
});

test('a signup with the same names and birth date as a profile warns and opens it, or is created anyway with a reason', async ({ page }) => {
  await openCustomers(page);
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill(' olivia ');
  await page.getByLabel('Last name').fill('HART');
  await page.getByLabel('Birth date').fill('04/12/1988');
  await page.getByLabel('Birth date').press('Enter');
  const warning = page.getByRole('alert', { name: 'Possible duplicate' });
  await expect(warning).toContainText('Olivia Hart, born 04/12/1988, may already have a profile.');
  await keep(page, 'customers-duplicate-name', warning);

  // Open it: the signup is dropped, the existing profile opens, no draft is left behind.
  await warning.getByRole('button', { name: "Open Olivia Hart's profile" }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await page.getByRole('button', { name: '← Back' }).click();
  await expect(drafts(page)).toHaveCount(0);

  // Saved regardless: the core refuses until staff say why this is a different person.
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByLabel('First name').fill('Olivia');
  await page.getByLabel('Last name').fill('Hart');
  await page.getByLabel('Birth date').fill('04/12/1988');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByLabel('Identification expiration').fill('01/01/2031');
  await page.getByLabel('Identification expiration').press('Enter');
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already has a profile' })).toHaveText(
    'Olivia Hart, born 04/12/1988, already has a profile: open it, or choose Create anyway and say why this is a different person.',
  );
  await expect(page.getByRole('button', { name: 'Create anyway' })).toBeDisabled();
  await page.getByLabel('Why this is a different person').fill('Another Olivia Hart: different licence, different address');
  await page.getByRole('button', { name: 'Create anyway' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Olivia Hart' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Event history' })).toContainText(
    'Profile created although Olivia Hart, born 04/12/1988, has another profile: Another Olivia Hart: different licence, different address',
  );
});

test('a signup with a medical ID already on a profile cannot be saved: it offers to open that profile', async ({ page }) => {
  await openCustomers(page);
  await page.getByRole('button', { name: 'Signup without scanning' }).click();
  await page.getByRole('group', { name: 'This customer is' }).getByRole('radio', { name: 'Medical with state ID' }).check();
  await page.getByRole('textbox', { name: 'State Medical ID', exact: true }).fill('mp7k2q9x4d');
  await page.getByLabel('Medical ID expiration').fill('09/30/2029');
  await page.getByLabel('Medical ID expiration').press('Enter');
  await page.getByLabel('First name').fill('Rosie');
  await page.getByLabel('Last name').fill('Delgado');
  await page.getByLabel('Birth date').fill('09/30/1961');
  await page.getByLabel('Birth date').press('Enter');
  const warning = page.getByRole('alert', { name: 'Possible duplicate' });
  await expect(warning).toContainText('Medical ID mp7k2q9x4d is already on another profile.');
  await expect(warning.getByRole('button', { name: 'Create anyway' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Save & Back' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "is already on Rosa Delgado's profile" })).toHaveText(
    "Medical ID mp7k2q9x4d is already on Rosa Delgado's profile (born 09/30/1961): open that profile instead of making another, or check the number on the card.",
  );
  await keep(page, 'customers-duplicate-medical-id', warning);
  await warning.getByRole('button', { name: "Open Rosa Delgado's profile" }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Rosa Delgado' })).toBeVisible();
  await page.getByRole('button', { name: '← Back' }).click();
  await expect(drafts(page)).toHaveCount(0);
});
