/** What a command handler gets: its transaction, who sent the command, and the change rows it adds. */
import type pg from 'pg';
import type { PendingChange } from './changes.js';

export interface HandlerContext {
  client: pg.PoolClient;
  deviceId: string;
  commandId: string;
  /** The register's time for the command (its clock plus its known offset to the hub). */
  at: number;
  /** The hub's clock. */
  now: number;
  changes: PendingChange[];
}

/** A command the hub refuses for a reason a person must look at: stored, and the same answer on every retry. */
export class Rejection extends Error {}
