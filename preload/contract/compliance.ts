/**
 * Compliance settings a store chooses within its state's rules: whether it sells to medical
 * patients while the state's track-and-trace system is down (Settings › Track & Trace). Check-in
 * and the register read the same choice.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const empty = z.object({}).strict();

export const traceDownPolicySchema = z.object({
  /** Medical sales continue while the state system is down, with the allotment typed by hand. */
  allowed: z.boolean(),
  /** The store has made no choice of its own: the state's rules file decides. */
  followsJurisdiction: z.boolean(),
  jurisdiction: z.object({
    code: z.string(),
    name: z.string(),
    /** What the state's rules file gives as the default. */
    allowed: z.boolean(),
    /** The rule the default rests on, quoted for the manager. */
    rule: z.string().nullable(),
  }),
});
export type TraceDownPolicyView = z.infer<typeof traceDownPolicySchema>;

export const complianceCalls = {
  'compliance.traceDown.get': { request: empty, response: traceDownPolicySchema },
  /** `allowed: null` goes back to the state's default. */
  'compliance.traceDown.save': {
    request: z.object({ commandId: commandIdSchema, allowed: z.boolean().nullable() }).strict(),
    response: traceDownPolicySchema,
  },
} as const;

export const complianceEvents = {} as const;
