/**
 * The Linux USB printer-class link (/dev/usb/lpN) against a stand-in device node: a named pipe
 * (mkfifo) whose far end plays the printer and records the job, decoded back by the test decoder.
 * A device that is not there (the printer unplugged) is unreachable and nothing is created in its
 * place.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printerConfigSchema } from '../../../main/till/config.js';
import { encodeDoc } from '../../../main/till/encoder.js';
import { usbLinuxPrinter } from '../../../main/till/transports/usb-linux.js';
import { decodeEscPos } from '../../support/escpos-decoder.js';
import { tempDir } from '../../support/paths.js';

const temp = tempDir('register-usb-printer-');
afterAll(() => temp.cleanup());

describe.skipIf(process.platform !== 'linux')('USB receipt printer (/dev/usb/lp)', () => {
  it('writes the whole receipt, drawer pulse and cut included, to the device node', async () => {
    const device = join(temp.dir, 'lp0');
    execFileSync('mkfifo', [device]);
    // The printer's end: reads until the writer closes the device.
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const stream = createReadStream(device);
      stream.on('data', (chunk) => chunks.push(Buffer.from(chunk)));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const printer = printerConfigSchema.parse({ id: 'u1', name: 'USB', transport: { kind: 'usb_linux', path: '/dev/usb/lp0' } });
    const doc = { blocks: [{ kind: 'title' as const, text: 'Green Leaf' }, { kind: 'pair' as const, left: 'Gummies', right: '$25.00' }, { kind: 'barcode' as const, value: 'S000007' }] };
    const outcome = await usbLinuxPrinter(device).print(encodeDoc(doc, printer, { kick: true }));
    // Nothing is read back on this link: taken, status unknown.
    expect(outcome).toMatchObject({ printed: true, status: { condition: 'unknown' } });
    await done;
    const decoded = decodeEscPos(Buffer.concat(chunks));
    expect(decoded.lines).toContain('Gummies' + ' '.repeat(42 - 7 - 6) + '$25.00');
    expect(decoded.barcodes).toEqual(['S000007']);
    expect(decoded.pulses).toHaveLength(1);
    expect(decoded.cuts).toBe(1);
  });

  it('an unplugged printer is unreachable, says what to check, and no file appears in its place', async () => {
    const device = join(temp.dir, 'lp1');
    const link = usbLinuxPrinter(device);
    const outcome = await link.print(Uint8Array.from([0x1b, 0x40]));
    expect(outcome).toMatchObject({ printed: false, status: { condition: 'unreachable' } });
    expect(outcome.status.message).toContain('switched on');
    expect((await link.status()).condition).toBe('unreachable');
    expect(existsSync(device)).toBe(false);
  });
});
