/** Network printers: raw TCP (port 9100), one job per connection, status read back on the same socket. */
import { Socket } from 'node:net';
import { statusOf } from '../status.js';
import { statusThenPrint } from './stream.js';
import type { PrinterLink, PrintOutcome } from './types.js';

export const CONNECT_TIMEOUT_MS = 2000;
const JOB_TIMEOUT_MS = 15_000;

export function tcpPrinter(host: string, port: number): PrinterLink {
  const where = `${host}:${port}`;
  const run = (bytes: Uint8Array | null): Promise<PrintOutcome> =>
    new Promise((resolve) => {
      const socket = new Socket();
      let settled = false;
      const finish = (outcome: PrintOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        socket.destroy();
        resolve(outcome);
      };
      // Off, unplugged, refused, or it stalls: the job waits (nothing is known to have printed).
      const unreachable = () => finish({ printed: false, status: statusOf('unreachable', where) });
      const guard = setTimeout(unreachable, JOB_TIMEOUT_MS);
      socket.setNoDelay(true);
      socket.setTimeout(CONNECT_TIMEOUT_MS, unreachable);
      socket.once('error', unreachable);
      socket.connect(port, host, () => {
        socket.setTimeout(0);
        statusThenPrint(socket, where, bytes).then(
          (outcome) => {
            if (!outcome.printed) return finish(outcome);
            // Printed once every byte has left with our FIN behind it; the printer's close is awaited briefly.
            socket.end(() => {
              const linger = setTimeout(() => finish(outcome), 1000);
              socket.once('close', () => {
                clearTimeout(linger);
                finish(outcome);
              });
            });
          },
          unreachable,
        );
      });
    });
  return {
    where,
    print: (bytes) => run(bytes),
    status: async () => (await run(null)).status,
  };
}
