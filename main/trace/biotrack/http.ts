/**
 * One POST to BioTrack's serverjson.asp, through the shared transport (trace/http.ts): an answer,
 * "not sent" or "outcome unknown".
 */
import type { Logger } from '../../log/logger.js';
import { sendRequest } from '../http.js';

export type PostResult =
  | { kind: 'response'; status: number; body: string; elapsedMs: number }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'unknown'; reason: string };

export async function postText(url: string, body: string, timeoutMs: number, logger?: Logger): Promise<PostResult> {
  const result = await sendRequest({
    method: 'POST',
    url,
    // BioTrack expects this (incorrect) content type.
    headers: { 'content-type': 'text/JSON' },
    body,
    timeoutMs,
    ...(logger ? { logger } : {}),
  });
  if (result.kind !== 'response') return result;
  return { kind: 'response', status: result.status, body: result.body, elapsedMs: result.elapsedMs };
}
