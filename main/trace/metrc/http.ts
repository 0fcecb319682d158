/**
 * One request to Metrc (any method, HTTP Basic with the vendor and user keys, JSON), through the
 * shared transport (trace/http.ts): an answer (any status, with its Retry-After), "not sent" or
 * "outcome unknown".
 */
import type { Logger } from '../../log/logger.js';
import { sendRequest, type HttpMethod } from '../http.js';

export type MetrcResponse =
  | { kind: 'response'; status: number; body: string; contentType: string; retryAfterMs: number | null }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'unknown'; reason: string };

export async function metrcRequest(
  method: HttpMethod,
  url: string,
  options: { authorization: string; body?: unknown; timeoutMs: number; logger?: Logger },
): Promise<MetrcResponse> {
  const headers: Record<string, string> = { authorization: options.authorization, accept: 'application/json' };
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const result = await sendRequest({
    method,
    url,
    headers,
    timeoutMs: options.timeoutMs,
    ...(body === undefined ? {} : { body }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (result.kind !== 'response') return result;
  return {
    kind: 'response',
    status: result.status,
    body: result.body,
    contentType: String(result.headers['content-type'] ?? ''),
    retryAfterMs: retryAfter(result.headers['retry-after']),
  };
}

/** Retry-After as seconds or an HTTP date → milliseconds; null when absent or unreadable. */
export function retryAfter(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}
