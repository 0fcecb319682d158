/** Shapes of hub change rows as the register reads them (the hub's customer view is its own, see hub/customers.ts). */
import { z } from 'zod';
import type { ChangeRow as ProtocolChangeRow } from '../../hub/protocol.js';

export type ChangeRow = ProtocolChangeRow;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** `customer` rows: the hub's merged fields (per field, later edit wins), profile columns under `profile`. */
export const customerEntityData = z.object({
  id: z.string().min(1),
  identityKey: z.string().nullable(),
  mergedInto: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  fields: z.record(z.string(), z.union([scalar, z.record(z.string(), scalar)])).and(z.object({ profile: z.record(z.string(), scalar).optional() })),
});
