import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { binaryFormat, checkModule, electronAbi, readModuleAbi } from '../../../scripts/packaging/native-abi.js';

const require = createRequire(import.meta.url);

describe('native module ABI check', () => {
  it("reads the real better-sqlite3 binary as built for this Node's ABI", () => {
    const file = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const binary = readFileSync(file);
    expect(readModuleAbi(binary)).toEqual({ kind: 'abi', abi: Number(process.versions.modules) });
    expect(binaryFormat(binary)).toBe(process.platform === 'linux' ? 'elf' : process.platform === 'win32' ? 'pe' : 'mach-o');
  });

  it('reads Node-API modules (both registration styles) as runtime-independent', () => {
    expect(readModuleAbi(Buffer.from('\x7fELF....napi_register_module_v1....'))).toEqual({ kind: 'node-api' });
    expect(readModuleAbi(Buffer.from('\x7fELF....napi_module_register....'))).toEqual({ kind: 'node-api' });
    expect(readModuleAbi(Buffer.from('\x7fELF....nothing here....'))).toEqual({ kind: 'unknown' });
  });

  it("knows Electron 45's module version offline, and says so plainly when it cannot", () => {
    expect(electronAbi('45.4.1')).toEqual({ abi: 150 });
    const unknown = electronAbi('999.0.0');
    expect(unknown.abi).toBeNull();
    expect('reason' in unknown && unknown.reason).toMatch(/node-abi does not know Electron 999\.0\.0/);
  });

  it('judges each module against the expected ABI', () => {
    const elf = (symbols: string) => Buffer.from(`\x7fELF${symbols}`, 'latin1');
    expect(checkModule('a.node', elf('node_register_module_v150'), 'linux', 150).verdict).toBe('ok');
    expect(checkModule('a.node', elf('node_register_module_v115'), 'linux', 150)).toMatchObject({ verdict: 'mismatch', note: expect.stringContaining('needs 150') });
    expect(checkModule('a.node', elf('node_register_module_v115'), 'linux', null)).toMatchObject({ verdict: 'unknown', note: expect.stringContaining('could not be compared') });
    expect(checkModule('a.node', elf('napi_register_module_v1'), 'linux', 150).verdict).toBe('ok');
    expect(checkModule('a.node', Buffer.from('MZ..node_register_module_v1', 'latin1'), 'linux', 150).verdict).toBe('other-platform');
    expect(checkModule('a.node', Buffer.from('MZ..node_register_module_v115', 'latin1'), 'win32', 150).verdict).toBe('mismatch');
  });
});
