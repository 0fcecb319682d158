import { ulid } from 'ulid';

/** Every write carries an id made here, so a repeated send is applied once by the core. */
export function newCommandId(): string {
  return ulid();
}
