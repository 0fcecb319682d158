import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeDebScript, electronBuilderTemplate } from '../../../scripts/packaging/linux-scripts.js';
import { UDEV_RULES } from '../../../scripts/packaging/constants.js';

describe('deb maintainer scripts', () => {
  it("keep electron-builder's default after-install steps first, then add the udev rule", () => {
    const template = electronBuilderTemplate('after-install');
    expect(template).toContain('chrome-sandbox');
    const script = composeDebScript(template, readFileSync('resources/linux/udev-after-install.sh', 'utf8'));
    expect(script.startsWith(template.trimEnd())).toBe(true);
    expect(script.indexOf(`/etc/udev/rules.d/${UDEV_RULES}`)).toBeGreaterThan(script.indexOf('chrome-sandbox'));
  });

  it('refuse extra steps that would end the script before the defaults run', () => {
    expect(() => composeDebScript('#!/bin/bash\necho default\n', 'echo ours\nexit 0\n')).toThrow(/must not exit/);
  });

  it('use only macros electron-builder fills (a stray ${NAME} would stop the build)', () => {
    for (const part of ['udev-after-install.sh', 'udev-after-remove.sh']) {
      const text = readFileSync(`resources/linux/${part}`, 'utf8');
      const macros = [...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
      expect(macros.every((m) => m === 'sanitizedProductName' || m === 'executable')).toBe(true);
    }
  });

  it('number the udev rule below 73, with uaccess and the dialout fallback for serial ports', () => {
    expect(Number(UDEV_RULES.slice(0, 2))).toBeLessThan(73);
    const rules = readFileSync(`resources/linux/${UDEV_RULES}`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const hidraw = rules.find((l) => l.includes('SUBSYSTEM=="hidraw"'));
    const tty = rules.find((l) => l.includes('SUBSYSTEM=="tty"'));
    expect(hidraw).toContain('TAG+="uaccess"');
    expect(tty).toContain('TAG+="uaccess"');
    expect(tty).toContain('GROUP="dialout"');
    expect(readFileSync('resources/linux/udev-after-remove.sh', 'utf8')).toContain(`rm -f /etc/udev/rules.d/${UDEV_RULES}`);
  });
});
