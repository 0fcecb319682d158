import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, isAllowedNavigation, isTrustedSenderUrl, resolveAppRequest } from '../../../main/electron/app-protocol.js';
import { isPermissionAllowed } from '../../../main/electron/permissions.js';

const root = join('/opt', 'Dispensary Register', 'resources', 'app.asar', 'dist', 'renderer');

describe('app:// protocol', () => {
  it('serves the entry page and assets from the renderer folder with their types', () => {
    expect(resolveAppRequest(APP_ENTRY_URL, root)).toEqual({ ok: true, file: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('app://register/', root)).toMatchObject({ ok: true, file: join(root, 'index.html') });
    expect(resolveAppRequest('app://register/assets/index-abc.js?v=1#x', root)).toMatchObject({ ok: true, file: join(root, 'assets', 'index-abc.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppRequest('app://register/assets/a%20b.css', root)).toMatchObject({ ok: true, file: join(root, 'assets', 'a b.css') });
  });

  it('never reaches outside the renderer folder, however the path is spelled', () => {
    for (const url of [
      'app://register/../main/electron.cjs',
      'app://register/%2e%2e/%2e%2e/package.json',
      'app://register/assets/..%2F..%2F..%2Fpackage.json',
      'app://register/..%2F..%2F..%2F..%2Fetc%2Fpasswd.json',
      'app://register/..%5C..%5Cpackage.json',
      'app://register/assets/%00.js',
      'app://register/%E0%A4%A',
    ]) {
      const result = resolveAppRequest(url, root);
      // The URL parser folds plain dot segments away (staying inside); encoded slashes are refused.
      if (result.ok) expect(result.file.startsWith(root + sep), url).toBe(true);
    }
    expect(resolveAppRequest('app://register/assets/..%2F..%2F..%2Fpackage.json', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppRequest('app://register/..%5C..%5Cpackage.json', root)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest('app://register/assets/%00.js', root)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest('app://register/%E0%A4%A', root)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses other hosts and schemes, and files that are not app files', () => {
    expect(resolveAppRequest('app://elsewhere/index.html', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppRequest('file:///etc/passwd', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppRequest('not a url', root)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest('app://register/secret.key', root)).toMatchObject({ ok: false, status: 404 });
  });

  it('trusts IPC only from the register page on app://register', () => {
    expect(isTrustedSenderUrl('app://register/index.html')).toBe(true);
    expect(isTrustedSenderUrl('app://register/index.html#/checkout')).toBe(true);
    expect(isTrustedSenderUrl('file:///opt/Dispensary%20Register/resources/app.asar/dist/renderer/index.html')).toBe(false);
    expect(isTrustedSenderUrl('app://register.evil/index.html')).toBe(false);
    expect(isTrustedSenderUrl('app://register/other.html')).toBe(false);
    expect(isTrustedSenderUrl('https://register/index.html')).toBe(false);
    expect(isTrustedSenderUrl('')).toBe(false);
    expect(isTrustedSenderUrl(undefined)).toBe(false);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
  });
});

describe('window permissions', () => {
  it('refuses every browser power, but lets our own page write the clipboard', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'usb', 'openExternal', 'clipboard-read']) {
      expect(isPermissionAllowed(permission, 'app://register'), permission).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://register')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://register/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'file:///tmp/x.html')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', '')).toBe(false);
  });
});
