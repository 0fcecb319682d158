/** Polls until a condition holds (bounded), for device tests driven by real timers. */
export async function until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 8000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
