/**
 * What the register's window may use of the browser's powers. It needs none of them (no camera,
 * microphone, location, notifications, HID/serial/USB from the page: devices are read by main),
 * so every request and check is refused, except writing to the clipboard from our own page
 * (copying a receipt or customer number).
 *
 * Pure (no Electron): main.ts passes Electron's handlers through this.
 */
import { APP_ORIGIN } from './app-protocol.js';

const ALLOWED_FROM_APP = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | null | undefined): boolean {
  if (!ALLOWED_FROM_APP.has(permission) || !requestingUrl) return false;
  try {
    // Compared by hand: Node's URL gives custom schemes an opaque ("null") origin.
    const url = new URL(requestingUrl);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
