/**
 * The one transport BioTrack and Metrc send through (main/trace/http.ts), against real sockets on
 * 127.0.0.1: an answer, "not sent" (nothing listening), "outcome unknown" (connected, no answer
 * in time; reset mid-answer), and a log line that names no secret.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { safeTarget, sendRequest } from '../../../main/trace/http.js';
import { postText } from '../../../main/trace/biotrack/http.js';
import { metrcRequest } from '../../../main/trace/metrc/http.js';
import type { Logger, LogLevel } from '../../../main/log/logger.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

function recorder(): Logger & { lines: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> | undefined }> } {
  const lines: Array<{ level: LogLevel; message: string; fields: Record<string, unknown> | undefined }> = [];
  return { lines, log: (level, message, fields) => lines.push({ level, message, fields }) };
}

describe('the shared track-and-trace transport', () => {
  it('returns any answer with its status, headers and body; BioTrack and Metrc read it their way', async () => {
    const seen: Array<{ method: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', headers: request.headers, body });
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end('{"Message":"slow down"}');
      });
    });
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}/sales/v2/receipts?licenseNumber=LIC-1`;

    const metrc = await metrcRequest('POST', url, { authorization: 'Basic c2VjcmV0OmtleQ==', body: [{ a: 1 }], timeoutMs: 2000 });
    expect(metrc).toEqual({ kind: 'response', status: 429, body: '{"Message":"slow down"}', contentType: 'application/json', retryAfterMs: 3000 });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '[{"a":1}]' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Basic c2VjcmV0OmtleQ==', 'content-type': 'application/json', 'content-length': '9' });

    const get = await metrcRequest('GET', url, { authorization: 'Basic x', timeoutMs: 2000 });
    expect(get).toMatchObject({ kind: 'response', status: 429 });
    expect(seen[1]!.headers['content-type']).toBeUndefined();
    expect(seen[1]!.body).toBe('');

    const biotrack = await postText(`http://127.0.0.1:${port}/serverjson.asp`, '{"action":"login"}', 2000);
    expect(biotrack).toMatchObject({ kind: 'response', status: 429, body: '{"Message":"slow down"}' });
    // BioTrack expects its (incorrect) content type.
    expect(seen[2]!.headers['content-type']).toBe('text/JSON');
  });

  it('nothing listening: "not sent" (safe to send again); an invalid address too', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    closers.pop();
    expect(await sendRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, timeoutMs: 2000 })).toEqual({
      kind: 'not_sent',
      reason: 'connection refused (the service is down or the address is wrong)',
    });
    expect(await sendRequest({ method: 'GET', url: 'not a url?key=secret', headers: {}, timeoutMs: 2000 })).toEqual({
      kind: 'not_sent',
      reason: 'the address "not a url" is not a valid URL',
    });
  });

  it('connected but no answer in time, or the answer cut off: "outcome unknown", never "failed"', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const silentPort = await listen(silent);
    closers.unshift(async () => sockets.forEach((socket) => socket.destroy()));
    expect(await sendRequest({ method: 'POST', url: `http://127.0.0.1:${silentPort}/`, headers: {}, body: 'x', timeoutMs: 300 })).toEqual({
      kind: 'unknown',
      reason: 'no answer within 300 ms',
    });

    const cutting = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
        setImmediate(() => socket.resetAndDestroy());
      });
    });
    const cuttingPort = await listen(cutting);
    const cut = await sendRequest({ method: 'POST', url: `http://127.0.0.1:${cuttingPort}/`, headers: {}, body: 'x', timeoutMs: 2000 });
    expect(cut.kind).toBe('unknown');
  });

  it('logs the method, the address without its query or credentials, and the outcome: never a key, a password or the body', async () => {
    const server = http.createServer((_request, response) => response.end('{}'));
    const port = await listen(server);
    const logger = recorder();
    await metrcRequest('POST', `http://vendor:userkey@127.0.0.1:${port}/sales/v2/receipts?licenseNumber=LIC-1&userKey=abc`, {
      authorization: 'Basic dmVuZG9yOnVzZXJrZXk=',
      body: { password: 'hunter2' },
      timeoutMs: 2000,
      logger,
    });
    await postText(`http://127.0.0.1:${port}/serverjson.asp`, JSON.stringify({ action: 'login', password: 'hunter2' }), 2000, logger);
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[0]!.fields).toMatchObject({ method: 'POST', target: `http://127.0.0.1:${port}/sales/v2/receipts`, outcome: 'response', status: 200 });
    expect(logger.lines[1]!.fields).toMatchObject({ method: 'POST', target: `http://127.0.0.1:${port}/serverjson.asp`, outcome: 'response', status: 200 });
    const written = JSON.stringify(logger.lines);
    for (const secret of ['hunter2', 'userkey', 'dmVuZG9y', 'abc', 'LIC-1', 'vendor']) expect(written).not.toContain(secret);
  });

  it('safeTarget keeps scheme, host and path only', () => {
    expect(safeTarget('https://u:p@api-ok.metrc.com/packages/v2/active?licenseNumber=X#y')).toBe('https://api-ok.metrc.com/packages/v2/active');
    expect(safeTarget('no scheme://u:p@x/y?z')).toBe('no scheme://x/y');
  });
});
