import type { ErrorCode } from '../../preload/api.js';

/** An error the person at the register can act on: its message says what to do. */
export class CoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}
