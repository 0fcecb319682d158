/**
 * Settings › Store hub (issue 15): pair this station with the store's hub (find it or type its
 * address, the one-time code the hub shows, intake or register), its sync status for the banner
 * on every screen, and forgetting the hub.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const empty = z.object({}).strict();

export const hubStatusSchema = z.object({
  paired: z.boolean(),
  connected: z.boolean(),
  address: z.string().nullable(),
  deviceName: z.string().nullable(),
  role: z.enum(['register', 'intake']).nullable(),
  /** When the hub stopped answering (epoch ms); null while it answers. */
  offlineSince: z.number().int().nullable(),
  lastContactAt: z.number().int().nullable(),
  /** Changes this station made that the hub has not acknowledged yet. */
  pending: z.number().int(),
  lastVersion: z.number().int(),
  clockOffsetMs: z.number().int(),
  /** The last problem, in words for staff (null when none). */
  problem: z.string().nullable(),
});
export type HubStatus = z.infer<typeof hubStatusSchema>;

export const foundHubSchema = z.object({
  name: z.string(),
  address: z.string(),
  /** The start of the hub's certificate fingerprint, to compare with what the hub shows. */
  fingerprint: z.string().nullable(),
});
export type FoundHub = z.infer<typeof foundHubSchema>;

const shown = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A customer field two stations changed while apart: the later edit was kept, the other is listed. */
export const hubConflictSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  field: z.string(),
  keptValue: shown,
  /** When the kept value was made (hub time, epoch ms); null when the hub did not say. */
  keptAt: z.number().int().nullable(),
  lostValue: shown,
  lostAt: z.number().int(),
  /** The station whose (earlier) edit lost. */
  lostStation: z.string(),
});
export type HubConflict = z.infer<typeof hubConflictSchema>;

/** Two sign-ups of one person (the same ID) at two cut-off stations, merged into the earlier one. */
export const hubMergeSchema = z.object({
  id: z.string(),
  survivorId: z.string(),
  survivorName: z.string(),
  mergedId: z.string(),
  at: z.number().int(),
});
export type HubMerge = z.infer<typeof hubMergeSchema>;

export const hubCalls = {
  'hub.status': { request: empty, response: hubStatusSchema },
  /** Hubs announcing themselves on the store network (a hint: the address can always be typed). */
  'hub.discover': { request: empty, response: z.array(foundHubSchema) },
  'hub.pair': {
    request: z
      .object({
        commandId: commandIdSchema,
        address: z.string().trim().min(1, 'Type the hub address shown on the hub PC.').max(200),
        code: z
          .string()
          .transform((value) => value.replace(/\s+/g, ''))
          .pipe(z.string().regex(/^\d{6,8}$/, 'The pairing code is the 8 digits the hub shows.')),
        deviceName: z.string().trim().min(1, 'Give this station a name (for example Register 2).').max(80),
        role: z.enum(['register', 'intake']),
      })
      .strict(),
    response: hubStatusSchema,
  },
  'hub.forget': { request: z.object({ commandId: commandIdSchema }).strict(), response: hubStatusSchema },
  /** For a manager: the customer edits the hub merged (later edit wins; the other listed) and duplicate customers merged. */
  'hub.conflicts': {
    request: empty,
    response: z.object({ conflicts: z.array(hubConflictSchema), merges: z.array(hubMergeSchema) }),
  },
} as const;

export const hubEvents = {
  /** Connected, offline, pending changes: the banner and Settings › Store hub. */
  'hub.changed': hubStatusSchema,
} as const;
