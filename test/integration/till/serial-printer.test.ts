/**
 * A serial receipt printer through a socat pseudo-terminal pair with the REAL serialport binding:
 * the far end plays the printer (answers DLE EOT, records the job). Paper out is seen before the
 * job is sent; once ready the whole receipt arrives and decodes.
 */
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printerConfigSchema } from '../../../main/till/config.js';
import { encodeDoc } from '../../../main/till/encoder.js';
import { serialPrinter } from '../../../main/till/transports/serial.js';
import { decodeEscPos } from '../../support/escpos-decoder.js';
import { answerStatus, type FakeState } from '../../support/fake-printer.js';
import { tempDir } from '../../support/paths.js';
import { socatAvailable, startPtyPair, type PtyPair } from '../devices/socat.js';

describe.skipIf(!socatAvailable())('serial receipt printer through a socat pty pair', () => {
  const temp = tempDir('register-printer-');
  let pair: PtyPair;
  let far: SerialPort;
  let state: FakeState = 'ready';
  let received = Buffer.alloc(0);

  beforeAll(async () => {
    pair = await startPtyPair(temp.dir);
    far = new SerialPort({ path: pair.scanner, baudRate: 19200, autoOpen: false });
    await new Promise<void>((resolve, reject) => far.open((error) => (error ? reject(error) : resolve())));
    far.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, answerStatus(chunk, state, (byte) => far.write(Buffer.from([byte])))]);
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (far?.isOpen ? far.close(() => resolve()) : resolve()));
    await pair?.stop();
    temp.cleanup();
  });

  it('reads paper out, sends nothing; then prints the whole receipt once the printer is ready', async () => {
    const printer = printerConfigSchema.parse({ id: 's1', name: 'Serial', transport: { kind: 'serial', path: pair.device, baudRate: 19200 } });
    const link = serialPrinter(pair.device, 19200);
    const doc = { blocks: [{ kind: 'title' as const, text: 'Green Leaf' }, { kind: 'pair' as const, left: 'Gummies', right: '$25.00' }, { kind: 'barcode' as const, value: 'S000007' }] };

    state = 'paper_out';
    const refused = await link.print(encodeDoc(doc, printer, { kick: true }));
    expect(refused.printed).toBe(false);
    expect(refused.status.condition).toBe('paper_out');
    expect(received.length).toBe(0);

    state = 'ready';
    const printed = await link.print(encodeDoc(doc, printer, { kick: true }));
    expect(printed).toMatchObject({ printed: true, status: { condition: 'ready' } });
    const started = Date.now();
    while (decodeEscPos(received).cuts === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    const decoded = decodeEscPos(received);
    expect(decoded.lines).toContain('Gummies' + ' '.repeat(42 - 7 - 6) + '$25.00');
    expect(decoded.barcodes).toEqual(['S000007']);
    expect(decoded.pulses).toHaveLength(1);
    expect(decoded.cuts).toBe(1);
  });

  it('a port that is not there is unreachable, not a crash', async () => {
    const link = serialPrinter(`${temp.dir}/nothing-here`, 9600);
    const outcome = await link.print(Uint8Array.from([0x1b, 0x40]));
    expect(outcome).toMatchObject({ printed: false, status: { condition: 'unreachable' } });
  });
});
