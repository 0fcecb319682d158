/** Formats times and sizes for people. Times are UTC epoch milliseconds shown in a time zone. */
import { useStatus } from './stores/app';

/** The store's time zone once the register is ready; before that (or on a damaged store) the machine's. */
function storeTimeZone(): string | undefined {
  const status = useStatus.getState().status;
  return status?.state === 'ready' ? status.timeZone : undefined;
}

/** One date-and-time format everywhere, in the store's time zone unless another is given. */
export function formatDateTime(at: number, timeZone: string | undefined = storeTimeZone()): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(at));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
