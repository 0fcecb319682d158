import { monotonicFactory, isValid } from 'ulid';

/** ULIDs made on this register: sortable by time, unique across registers without a server. */
const nextUlid = monotonicFactory();

export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

export function isUlid(value: string): boolean {
  return isValid(value);
}
