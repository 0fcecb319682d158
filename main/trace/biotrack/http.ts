/**
 * One POST to BioTrack, told apart into what the sync worker must know: an answer arrived (any
 * status), the request certainly never left (connection refused, DNS), or it may have been
 * received (timeout or reset after the connection opened): "outcome unknown", never "failed".
 */
import http from 'node:http';
import https from 'node:https';

export type PostResult =
  | { kind: 'response'; status: number; body: string; elapsedMs: number }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'unknown'; reason: string };

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function postText(url: string, body: string, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: 'not_sent', reason: `the address "${url}" is not a valid URL` });
      return;
    }
    const transport = target.protocol === 'https:' ? https : http;
    let connected = false;
    let settled = false;
    const settle = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(target, {
      method: 'POST',
      // BioTrack expects this (incorrect) content type.
      headers: { 'content-type': 'text/JSON', 'content-length': Buffer.byteLength(body), connection: 'close' },
      agent: false,
    });
    const timer = setTimeout(() => {
      settle(
        connected
          ? { kind: 'unknown', reason: `no answer within ${timeoutMs} ms` }
          : { kind: 'not_sent', reason: `could not connect within ${timeoutMs} ms` },
      );
      request.destroy();
    }, timeoutMs);
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
          elapsedMs: performance.now() - started,
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'unknown', reason: `the answer was cut off (${describe(error)})` }));
      response.on('aborted', () => settle({ kind: 'unknown', reason: 'the answer was cut off' }));
    });
    request.end(body);
  });
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
