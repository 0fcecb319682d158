import { describe, expect, it } from 'vitest';
import { cleanBuildEnv, targetPlatform } from '../../../scripts/dist.js';
import { windowsSigning } from '../../../scripts/packaging/signing.js';

describe('installer build environment', () => {
  it("drops npm settings that would build native modules for another runtime's headers", () => {
    const { env, removed } = cleanBuildEnv({ PATH: '/usr/bin', npm_config_nodedir: '/usr/include/node', NPM_CONFIG_TARGET: '20.19.0', npm_config_cache: '/tmp/c' });
    expect(removed.sort()).toEqual(['NPM_CONFIG_TARGET', 'npm_config_nodedir']);
    expect(env).toEqual({ PATH: '/usr/bin', npm_config_cache: '/tmp/c' });
  });

  it("builds only this machine's own system", () => {
    expect(targetPlatform([], 'linux')).toBe('linux');
    expect(targetPlatform(['--win'], 'linux')).toBe('win32');
    expect(targetPlatform(['--linux', 'deb'], 'linux')).toBe('linux');
  });
});

describe('Windows code signing', () => {
  it('goes on unsigned, saying so plainly, without a certificate', () => {
    const signing = windowsSigning({});
    expect(signing.signtoolOptions).toBeNull();
    expect(signing.message).toMatch(/NOT signed.*REGISTER_WIN_CERT_FILE/);
  });

  it('signs with the certificate named in the environment', () => {
    expect(windowsSigning({ REGISTER_WIN_CERT_FILE: 'C:\\certs\\store.pfx', REGISTER_WIN_CERT_PASSWORD: 'pw' }).signtoolOptions).toEqual({
      certificateFile: 'C:\\certs\\store.pfx',
      certificatePassword: 'pw',
    });
    expect(() => windowsSigning({ REGISTER_WIN_CERT_FILE: 'cert.txt' })).toThrow(/\.pfx or \.p12/);
  });
});
