/** A socat pseudo-terminal pair for serial tests with the real serialport binding. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the register opens (the "scanner's" port). */
  device: string;
  /** The end the test writes to, as the scanner would. */
  scanner: string;
  stop(): Promise<void>;
}

export async function startPtyPair(dir: string): Promise<PtyPair> {
  const device = join(dir, 'ttyScanner0');
  const scanner = join(dir, 'ttyScanner1');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${scanner}`], { stdio: 'ignore' });
  const started = Date.now();
  while (!(existsSync(device) && existsSync(scanner))) {
    if (child.exitCode !== null) throw new Error('socat exited at once: is it installed (apt-get install socat)?');
    if (Date.now() - started > 5000) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pseudo-terminals within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    device,
    scanner,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function socatAvailable(): boolean {
  return ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].some((path) => existsSync(path));
}
