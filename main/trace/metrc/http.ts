/**
 * One request to Metrc (any method, HTTP Basic with the vendor and user keys, JSON), told apart
 * as BioTrack's transport does: an answer arrived (any status, with its Retry-After), the request
 * certainly never left (connection refused, DNS), or it may have been received (timeout or reset
 * after the connection opened): "outcome unknown", never "failed".
 */
import http from 'node:http';
import https from 'node:https';

export type MetrcResponse =
  | { kind: 'response'; status: number; body: string; contentType: string; retryAfterMs: number | null }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'unknown'; reason: string };

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function metrcRequest(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: { authorization: string; body?: unknown; timeoutMs: number },
): Promise<MetrcResponse> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: 'not_sent', reason: `the address "${url}" is not a valid URL` });
      return;
    }
    const payload = options.body === undefined ? null : JSON.stringify(options.body);
    const transport = target.protocol === 'https:' ? https : http;
    let connected = false;
    let settled = false;
    const settle = (result: MetrcResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const headers: Record<string, string | number> = { authorization: options.authorization, accept: 'application/json', connection: 'close' };
    if (payload !== null) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const request = transport.request(target, { method, headers, agent: false });
    const timer = setTimeout(() => {
      settle(connected ? { kind: 'unknown', reason: `no answer within ${options.timeoutMs} ms` } : { kind: 'not_sent', reason: `could not connect within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      socket.once('connect', () => {
        connected = true;
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (!connected && NOT_SENT_CODES.has(code)) settle({ kind: 'not_sent', reason: describe(error) });
      else settle({ kind: 'unknown', reason: describe(error) });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy();
          settle({ kind: 'unknown', reason: 'the answer was too large' });
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        settle({
          kind: 'response',
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: String(response.headers['content-type'] ?? ''),
          retryAfterMs: retryAfter(response.headers['retry-after']),
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'unknown', reason: `the answer was cut off (${describe(error)})` }));
      response.on('aborted', () => settle({ kind: 'unknown', reason: 'the answer was cut off' }));
    });
    request.end(payload ?? undefined);
  });
}

/** Retry-After as seconds or an HTTP date → milliseconds; null when absent or unreadable. */
export function retryAfter(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (the service is down or the address is wrong)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be found (check the internet connection)';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return error.message || String(error.code);
  }
}
