/** Small helpers for tests that call a test register and wait on what it reports. */
import type { ResponseEnvelope } from '../../preload/api.js';

/** The call's value, or its error as a thrown Error. */
export async function value<T>(answer: Promise<ResponseEnvelope>): Promise<T> {
  const result = await answer;
  if (!result.ok) throw new Error(result.error.message);
  return result.value as T;
}

/** Reads until `ok` holds, every 50 ms, or fails after `ms` naming the last value read. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const current = await read();
    if (ok(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
