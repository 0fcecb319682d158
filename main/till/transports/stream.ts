/**
 * The status-then-print exchange over any two-way byte stream (a TCP socket, a serial port):
 * DLE EOT 1/2/4 → three bytes (or silence: a printer that does not answer is printed to anyway),
 * then the job if the printer is ready.
 */
import type { Duplex } from 'node:stream';
import { parseStatus, STATUS_QUERY, statusOf, type PrinterStatus } from '../status.js';
import type { PrintOutcome } from './types.js';

export const STATUS_TIMEOUT_MS = 500;

/** Sends the status query and waits for three bytes; 'unknown' on silence. */
export function askStatus(stream: Duplex, where: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<PrinterStatus> {
  return new Promise((resolve) => {
    let reply = Buffer.alloc(0);
    const done = (status: PrinterStatus) => {
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(status);
    };
    const onData = (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length >= 3) done(parseStatus(reply.subarray(0, 3), where) ?? statusOf('unknown', where));
    };
    const timer = setTimeout(() => done(statusOf('unknown', where)), timeoutMs);
    stream.on('data', onData);
    stream.write(STATUS_QUERY);
  });
}

export function writeAll(stream: Duplex, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

export async function statusThenPrint(stream: Duplex, where: string, bytes: Uint8Array | null): Promise<PrintOutcome> {
  const status = await askStatus(stream, where);
  if (bytes === null || (status.condition !== 'ready' && status.condition !== 'unknown')) return { printed: false, status };
  await writeAll(stream, bytes);
  return { printed: true, status };
}
