/**
 * A small structured logger: JSON lines in the data folder's logs/, warnings and errors echoed to
 * stderr. Callers pass facts, never secrets: no PINs, passwords or request payloads.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { restrictFiles, restrictSubFolder } from '../store/permissions.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;

export function createFileLogger(dataDir: string, echo: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const dir = join(dataDir, 'logs');
  const file = join(dir, 'register.log');
  let ready = false;
  return {
    log(level, message, fields) {
      const line = JSON.stringify({ at: new Date().toISOString(), level, message, ...fields }) + '\n';
      if (level === 'warn' || level === 'error') echo(`[${level}] ${message}\n`);
      try {
        if (!ready) {
          // Logs name customers and staff: this user only (folder 0700, files 0600).
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          restrictSubFolder(dir);
          restrictFiles([file, `${file}.1`]);
          ready = true;
        }
        rotateIfLarge(file);
        appendFileSync(file, line, { mode: 0o600 });
      } catch {
        // Logging must never take the register down (a full disk is reported elsewhere).
      }
    },
  };
}

function rotateIfLarge(file: string): void {
  try {
    if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no file yet
  }
}

export const silentLogger: Logger = { log() {} };
