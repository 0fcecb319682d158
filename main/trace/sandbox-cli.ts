/**
 * The command line both sandboxes share (`npm run sandbox:biotrack`, `npm run sandbox:metrc`):
 * --port, --data, --latency and repeatable --mode NAME=VALUE, checked with a usage text, the
 * sandbox started on 127.0.0.1 and closed on Ctrl-C.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { z } from 'zod';

export interface SandboxCliSpec<Modes> {
  usage: string;
  defaultPort: number;
  /** File name under resources/demo/. */
  defaultData: string;
  modesSchema: z.ZodType<Modes>;
  /** Starts the sandbox and prints its addresses; resolves with how to close it. */
  start(options: { port: number; dataFile: string; latencyMs: number; modes: Modes }): Promise<{ close(): Promise<void> }>;
  /** "The Metrc sandbox could not start: …" */
  failure: string;
}

export function runSandboxCli<Modes>(spec: SandboxCliSpec<Modes>): void {
  main(spec).catch((error: unknown) => {
    console.error(`${spec.failure}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

async function main<Modes>(spec: SandboxCliSpec<Modes>): Promise<void> {
  const { usage } = spec;
  let values: { port?: string; data?: string; latency?: string; mode?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, data: { type: 'string' }, latency: { type: 'string' }, mode: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port ?? String(spec.defaultPort));
  const latencyMs = Number(values.latency ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(latencyMs) || latencyMs < 0) {
    console.error(`--port must be 0-65535 and --latency a whole number of milliseconds.\n\n${usage}`);
    process.exit(2);
  }
  const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const dataFile = values.data ?? join(repoRoot, 'resources', 'demo', spec.defaultData);
  const modes = spec.modesSchema.safeParse(Object.fromEntries((values.mode ?? []).map((pair) => pair.split('=', 2))));
  if (!modes.success) {
    console.error(`--mode: ${modes.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n\n${usage}`);
    process.exit(2);
  }
  const sandbox = await spec.start({ port, dataFile, latencyMs, modes: modes.data });
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
