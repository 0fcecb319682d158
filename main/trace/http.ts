/**
 * One HTTP request to a track-and-trace system, told apart into what the sync worker must know:
 * an answer arrived (any status), the request certainly never left (connection refused, DNS, no
 * connection within the time), or it may have been received (timeout or reset after the
 * connection opened): "outcome unknown", never "failed" — the outbox reconciles it before sending
 * anything again. BioTrack (biotrack/http.ts) and Metrc (metrc/http.ts) both send through here.
 *
 * Logging names the method, the address without its query and the outcome: never a header, a
 * body, a query string or credentials in the address.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../log/logger.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type TransportResult =
  | { kind: 'response'; status: number; body: string; headers: http.IncomingHttpHeaders; elapsedMs: number }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'unknown'; reason: string };

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string | number>;
  /** Sent as UTF-8 with its content-length; none for a GET. */
  body?: string;
  timeoutMs: number;
  logger?: Logger;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function sendRequest(request: TransportRequest): Promise<TransportResult> {
  return send(request).then((result) => {
    request.logger?.log(result.kind === 'response' ? 'debug' : 'info', 'track-and-trace request', {
      method: request.method,
      target: safeTarget(request.url),
      outcome: result.kind,
      ...(result.kind === 'response' ? { status: result.status, ms: Math.round(result.elapsedMs) } : { reason: result.reason }),
    });
    return result;
  });
}

function send({ method, url, headers, body, timeoutMs }: TransportRequest): Promise<TransportResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: 'not_sent', reason: `the address "${safeTarget(url)}" is not a valid URL` });
      return;
    }
    const transport = target.protocol === 'https:' ? https : http;
    let connected = false;
    let settled = false;
    const settle = (result: TransportResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const allHeaders: Record<string, string | number> = { ...headers, connection: 'close' };
    if (body !== undefined) allHeaders['content-length'] = Buffer.byteLength(body);
    const outgoing = transport.request(target, { method, headers: allHeaders, agent: false });
    const timer = setTimeout(() => {
      settle(connected ? { kind: 'unknown', reason: `no answer within ${timeoutMs} ms` } : { kind: 'not_sent', reason: `could not connect within ${timeoutMs} ms` });
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      socket.once('connect', () => {
        connected = true;
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (!connected && NOT_SENT_CODES.has(code)) settle({ kind: 'not_sent', reason: describe(error) });
      else settle({ kind: 'unknown', reason: describe(error) });
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          outgoing.destroy();
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
          headers: response.headers,
          elapsedMs: performance.now() - started,
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'unknown', reason: `the answer was cut off (${describe(error)})` }));
      response.on('aborted', () => settle({ kind: 'unknown', reason: 'the answer was cut off' }));
    });
    outgoing.end(body);
  });
}

/** The address as it may be logged or shown: scheme, host and path; no credentials, no query. */
export function safeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/, '');
  }
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
