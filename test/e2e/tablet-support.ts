/**
 * What the tablet specs share: a real SMTP server on 127.0.0.1 (smtp-server, parsed with
 * mailparser) that can hold a conversation to let a test kill the register mid-send, a finger
 * drawing on the tablet through Chromium's touch input, a screen of the register reached from the
 * test itself (to read a document's bytes), and screenshots kept in docs/screens/.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { mkdirSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import WebSocket from 'ws';
import { repoRoot, type RunningHost } from './host';

export const docsScreens = join(repoRoot, 'docs', 'screens');

export async function keepShot(page: Page, name: string): Promise<void> {
  mkdirSync(docsScreens, { recursive: true });
  await page.screenshot({ path: join(docsScreens, `${name}.png`), fullPage: true });
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestMailbox {
  port: number;
  messages: ParsedMail[];
  /** MAIL FROM commands seen (every attempt to send, finished or not). */
  attempts: number;
  /** While set, the next MAIL FROM gets no answer: the sender is left mid-conversation. */
  holdNext: boolean;
  /** Resolves when a MAIL FROM was held. */
  held: Promise<void>;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<TestMailbox> {
  let heldResolve: () => void = () => undefined;
  const mailbox: TestMailbox = {
    port: 0,
    messages: [],
    attempts: 0,
    holdNext: false,
    held: new Promise<void>((resolve) => (heldResolve = resolve)),
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      mailbox.attempts++;
      if (mailbox.holdNext) {
        mailbox.holdNext = false;
        heldResolve();
        return; // never answered: the register is killed while waiting
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mailbox.messages.push(parsed);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  mailbox.port = (server.server.address() as AddressInfo).port;
  mailbox.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return mailbox;
}

/** The tablet: a touch screen the size of a 10" tablet that accepts the register's own certificate. */
export async function tabletContext(browser: { newContext: (options: object) => Promise<BrowserContext> }): Promise<BrowserContext> {
  return browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1, ignoreHTTPSErrors: true });
}

/** Draws strokes with a finger: real touch input through Chromium (pointer events of type touch). */
export async function drawWithFinger(page: Page, strokes: Array<Array<[number, number]>>): Promise<void> {
  const canvas = page.getByTestId('signature-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no signature box on the tablet');
  const cdp = await page.context().newCDPSession(page);
  for (const stroke of strokes) {
    const point = ([x, y]: [number, number]) => [{ x: box.x + x, y: box.y + y, radiusX: 4, radiusY: 4, force: 0.5, id: 1 }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(stroke[0]!) });
    for (const at of stroke.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(at) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await cdp.detach();
}

/** Ink on the signature box: how many pixels are drawn. */
export async function inkOnCanvas(page: Page): Promise<number> {
  return page.getByTestId('signature-canvas').evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
    return inked;
  });
}

export const SIGNATURE: Array<Array<[number, number]>> = [
  [
    [40, 150],
    [70, 90],
    [100, 60],
    [130, 110],
    [160, 160],
    [190, 100],
    [220, 70],
  ],
  [
    [260, 150],
    [300, 80],
    [340, 140],
    [380, 90],
    [420, 150],
  ],
];

/** A screen of the register opened by the test itself (the browser host's own protocol), logged in with a PIN. */
export async function registerScreen(host: RunningHost, pin: string): Promise<{ call<T>(name: string, payload?: unknown): Promise<T>; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { headers: { Origin: `http://127.0.0.1:${host.port}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (response: { ok: boolean; value?: unknown; error?: { message: string } }) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id?: number; ok?: boolean };
    if (typeof message.id === 'number') waiting.get(message.id)?.(message as { ok: boolean });
  });
  const call = async <T>(name: string, payload: unknown = {}): Promise<T> => {
    const id = next++;
    const response = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, call: name, payload }));
    });
    if (!response.ok) throw new Error(`${name}: ${response.error?.message}`);
    return response.value as T;
  };
  await call('session.login', { pin });
  return { call, close: () => ws.close() };
}

export async function expectSignatureCheck(page: Page, done: boolean): Promise<void> {
  await expect(page.getByRole('list', { name: 'Signup progress' }).getByLabel(`Signature: ${done ? 'done' : 'not yet'}`)).toBeVisible();
}
