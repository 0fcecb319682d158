/**
 * Defensive reading of BioTrack v1 answers. Observed in the wild: `success` as 0/1 or "0"/"1",
 * numbers sent as strings, error codes as strings, HTTP header text leaked into the body before
 * the JSON, and HTML error pages. The API has changed without notice, so unknown fields are
 * ignored and missing ones are tolerated wherever the meaning stays clear.
 */

export type ParsedAnswer =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'error'; code: string | null; message: string; body: Record<string, unknown> }
  /** `body`: the JSON object when there was one (an answer without a success flag), for a manager to read. */
  | { kind: 'unreadable'; reason: string; body?: Record<string, unknown> };

export function parseAnswer(text: string): ParsedAnswer {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'unreadable', reason: 'the answer was empty' };
  if (/^<(!doctype|html|head|body)/i.test(trimmed)) return { kind: 'unreadable', reason: 'the answer was an HTML page, not JSON' };
  // A known BioTrack bug leaks header lines ("Content-Type: text/plain") before the JSON.
  const start = trimmed.indexOf('{');
  if (start < 0) return { kind: 'unreadable', reason: 'the answer held no JSON' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed.slice(start));
  } catch {
    return { kind: 'unreadable', reason: 'the answer was not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'unreadable', reason: 'the answer was not a JSON object' };
  }
  const body = value as Record<string, unknown>;
  const success = asFlag(body.success);
  if (success === true) return { kind: 'ok', body };
  if (success === false) {
    const code = body.errorcode === undefined || body.errorcode === null || body.errorcode === '' ? null : String(body.errorcode);
    const message = typeof body.error === 'string' && body.error.trim() ? body.error.trim() : 'BioTrack refused the request without saying why.';
    return { kind: 'error', code, message, body };
  }
  return { kind: 'unreadable', reason: 'the answer had no success flag', body };
}

/** 1, "1", true → true; 0, "0", false → false; anything else → null. */
export function asFlag(value: unknown): boolean | null {
  if (value === true || value === 1 || value === '1') return true;
  if (value === false || value === 0 || value === '0') return false;
  return null;
}

/** A number or a numeric string → a number; otherwise null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** A string, or a number written as a string; otherwise null. */
export function asText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A decimal price string ("8.00", 8, "8") → integer cents. */
export function priceToCents(value: unknown): number | null {
  const number = asNumber(value);
  return number === null ? null : Math.round(number * 100);
}

export function centsToPrice(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Errorcode 63, or any error text saying the session expired. */
export function isSessionExpired(code: string | null, message: string): boolean {
  return code === '63' || /session.*(expired|invalid|not found)/i.test(message) || /invalid session/i.test(message);
}

/** BioTrack's answer to a nonce it has seen: the first request may have been applied. */
export function isRepeatedNonce(message: string): boolean {
  return /nonce/i.test(message) && /(repeat|duplicate|already|used)/i.test(message);
}
