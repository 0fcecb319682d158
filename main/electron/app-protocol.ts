/**
 * The window's pages come from `app://register/…`, a custom protocol served from
 * dist/renderer, not from file://. A file:// page's origin is "null" and it may read any local
 * file the user can; an app:// page has one fixed origin, so the IPC sender check and the CSP
 * (sent as a header with every response) mean what they say.
 *
 * Pure functions only (no Electron): main.ts registers the scheme and answers its requests.
 */
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'register';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Sent with every app:// response: the renderer talks to main only through IPC. */
export const RENDERER_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export type AppRequest = { ok: true; file: string; contentType: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// URL to a file under `rendererRoot`. Anything that is not our host, or that
 * would step outside the folder (`..`, encoded slashes, absolute paths), is refused.
 */
export function resolveAppRequest(url: string, rendererRoot: string): AppRequest {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { ok: false, status: 403, reason: `not ${APP_ORIGIN}` };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad escape in the path' };
  }
  if (path.includes('\0') || path.includes('\\')) return { ok: false, status: 400, reason: 'bad character in the path' };
  if (path === '/' || path === '') path = '/index.html';
  const relativePath = normalize(path.replace(/^\/+/, ''));
  const file = join(rendererRoot, relativePath);
  const inside = relative(rendererRoot, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return { ok: false, status: 403, reason: 'outside the app folder' };
  }
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!contentType) return { ok: false, status: 404, reason: 'not an app file type' };
  return { ok: true, file, contentType };
}

/** Only the register's own page, loaded from app://register, may call the register over IPC. */
export function isTrustedSenderUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.pathname === '/index.html';
  } catch {
    return false;
  }
}

/** Navigation inside the window is refused except to our own entry page (reloads). */
export function isAllowedNavigation(url: string): boolean {
  return isTrustedSenderUrl(url);
}
