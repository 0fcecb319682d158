/**
 * Track & Trace settings, kept in the settings table under `trace.config`. The password is
 * sealed by the register's SecretBox before it is stored and is never returned to a screen or
 * written to a log or the audit trail.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { SecretBox } from '../core/secret-box.js';
import { cachedStatement } from '../store/statements.js';

export const TRACE_CONFIG_KEY = 'trace.config';

/**
 * The advanced client settings (admin only), so a store can match its state's BioTrack without a
 * new release. Defaults follow the strongest public evidence (shared/research/biotrack-fidelity.md):
 * a fresh nonce per request (every public client does so; none reuses one), both patient links
 * on a sale (older adapters sent the card_key from card_lookup, the client's card id is what the
 * register knows), and 2 minutes before a sale with an unknown outcome is checked with BioTrack.
 */
export const traceAdvancedSchema = z.object({
  noncePolicy: z.enum(['fresh', 'kept']).default('fresh'),
  patientLink: z.enum(['card_id', 'card_key', 'both']).default('both'),
  reconcileDelaySeconds: z.number().int().min(5).max(3600).default(120),
});
export type TraceAdvanced = z.output<typeof traceAdvancedSchema>;
export const DEFAULT_TRACE_ADVANCED: TraceAdvanced = traceAdvancedSchema.parse({});

export const TRACE_PROVIDERS = ['biotrack_v1', 'metrc_v2'] as const;
export type TraceProviderId = (typeof TRACE_PROVIDERS)[number];

export const storedTraceConfigSchema = z.object({
  provider: z.enum(['none', ...TRACE_PROVIDERS]),
  /** Use the sandbox the demo store runs in-process, instead of `endpoint`. */
  useDemoSandbox: z.boolean(),
  endpoint: z.string(),
  licenseNumber: z.string(),
  username: z.string(),
  passwordSealed: z.string().nullable(),
  location: z.string(),
  terminalId: z.string(),
  training: z.boolean(),
  nosession: z.boolean(),
  advanced: traceAdvancedSchema.default(DEFAULT_TRACE_ADVANCED),
  /** Metrc: the vendor key and the user key, sealed like BioTrack's password (never shown again). */
  vendorKeySealed: z.string().nullable().default(null),
  userKeySealed: z.string().nullable().default(null),
  /** Metrc: the facility's time zone (SalesDateTime is written in it); the store's when saved. */
  timeZone: z.string().default('America/Chicago'),
});
export type StoredTraceConfig = z.infer<typeof storedTraceConfigSchema>;

/** What the worker gets: everything it needs to talk to the provider (in memory only). */
export type EffectiveTraceConfig = BioTrackEffectiveConfig | MetrcEffectiveConfig;

export interface MetrcEffectiveConfig {
  provider: 'metrc_v2';
  /** The state's Metrc API address. */
  endpoint: string;
  licenseNumber: string;
  vendorKey: string;
  userKey: string;
  /** The outbox's location: the facility licence. */
  location: string;
  terminalId: string;
  timeZone: string;
  advanced?: TraceAdvanced;
}

export interface BioTrackEffectiveConfig {
  provider: 'biotrack_v1';
  endpoint: string;
  licenseNumber: string;
  username: string;
  password: string;
  location: string;
  terminalId: string;
  training: boolean;
  nosession: boolean;
  /** The advanced settings; the defaults when absent. */
  advanced?: TraceAdvanced;
}

/** The embedded sandboxes' addresses, by provider (the demo stores). */
export type DemoSandboxUrls = Partial<Record<TraceProviderId, string | null>>;

/** The demo stores' Metrc accounts in metrc-sandbox.json, by state. */
export const DEMO_METRC_ACCOUNTS = {
  IL: { licenseNumber: 'DEMO-IL-DISP-0100', vendorKey: 'demo-vendor-key', userKey: 'demo-user-key-il' },
  OK: { licenseNumber: 'DEMO-OK-DAAA-0200', vendorKey: 'demo-vendor-key', userKey: 'demo-user-key-ok' },
} as const;

/** A demo store's Metrc settings: the embedded Metrc sandbox with the state's demo account. */
export function demoMetrcConfig(secretBox: SecretBox, state: keyof typeof DEMO_METRC_ACCOUNTS, timeZone = 'America/Chicago'): StoredTraceConfig {
  const account = DEMO_METRC_ACCOUNTS[state];
  return {
    provider: 'metrc_v2',
    useDemoSandbox: true,
    endpoint: '',
    licenseNumber: account.licenseNumber,
    username: '',
    passwordSealed: null,
    location: account.licenseNumber,
    terminalId: '1',
    training: false,
    nosession: false,
    advanced: { ...DEFAULT_TRACE_ADVANCED },
    vendorKeySealed: secretBox.seal(account.vendorKey),
    userKeySealed: secretBox.seal(account.userKey),
    timeZone,
  };
}

/** The demo store's defaults: the embedded sandbox with the demo account in biotrack-sandbox.json. */
export const DEMO_TRACE_ACCOUNT = {
  licenseNumber: 'DEMO-600100200',
  username: 'demo.register',
  password: 'demo-sandbox-password',
  location: '600100',
  terminalId: '1',
} as const;

export function readTraceConfig(sqlite: Database.Database): StoredTraceConfig | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(TRACE_CONFIG_KEY) as { value: string } | undefined;
  if (!row) return null;
  try {
    const parsed = storedTraceConfigSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeTraceConfig(sqlite: Database.Database, config: StoredTraceConfig, now: number): void {
  cachedStatement(sqlite,
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(TRACE_CONFIG_KEY, JSON.stringify(config), now);
}

export function demoTraceConfig(secretBox: SecretBox): StoredTraceConfig {
  return {
    provider: 'biotrack_v1',
    useDemoSandbox: true,
    endpoint: '',
    licenseNumber: DEMO_TRACE_ACCOUNT.licenseNumber,
    username: DEMO_TRACE_ACCOUNT.username,
    passwordSealed: secretBox.seal(DEMO_TRACE_ACCOUNT.password),
    location: DEMO_TRACE_ACCOUNT.location,
    terminalId: DEMO_TRACE_ACCOUNT.terminalId,
    training: false,
    nosession: false,
    advanced: { ...DEFAULT_TRACE_ADVANCED },
    vendorKeySealed: null,
    userKeySealed: null,
    timeZone: 'America/Chicago',
  };
}

/** Resolve the stored settings into what the worker needs, or say what is missing. */
export function effectiveConfig(
  stored: StoredTraceConfig | null,
  secretBox: SecretBox,
  demoSandboxUrl: string | null | DemoSandboxUrls,
): { ok: true; config: EffectiveTraceConfig } | { ok: false; reason: string } {
  if (!stored || stored.provider === 'none') return { ok: false, reason: 'Track-and-trace is not set up.' };
  const demoUrl = typeof demoSandboxUrl === 'object' && demoSandboxUrl !== null ? (demoSandboxUrl[stored.provider] ?? null) : demoSandboxUrl;
  const endpoint = stored.useDemoSandbox ? demoUrl : stored.endpoint.trim();
  if (stored.provider === 'metrc_v2') return metrcConfig(stored, secretBox, endpoint);
  if (!endpoint) {
    return { ok: false, reason: stored.useDemoSandbox ? 'The demo sandbox is not running.' : 'Enter the BioTrack address in Settings › Track & Trace.' };
  }
  const missing = (['licenseNumber', 'username', 'location', 'terminalId'] as const).filter((key) => !stored[key].trim());
  if (missing.length > 0 || !stored.passwordSealed) {
    return { ok: false, reason: 'Fill in every Track & Trace setting (licence, username, password, location, terminal).' };
  }
  let password: string;
  try {
    password = secretBox.open(stored.passwordSealed);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return {
    ok: true,
    config: {
      provider: 'biotrack_v1',
      endpoint,
      licenseNumber: stored.licenseNumber.trim(),
      username: stored.username.trim(),
      password,
      location: stored.location.trim(),
      terminalId: stored.terminalId.trim(),
      training: stored.training,
      nosession: stored.nosession,
      advanced: stored.advanced,
    },
  };
}

function metrcConfig(stored: StoredTraceConfig, secretBox: SecretBox, endpoint: string | null | undefined): { ok: true; config: MetrcEffectiveConfig } | { ok: false; reason: string } {
  if (!endpoint) {
    return { ok: false, reason: stored.useDemoSandbox ? 'The demo sandbox is not running.' : 'Enter the Metrc address in Settings › Track & Trace.' };
  }
  if (!stored.licenseNumber.trim() || !stored.vendorKeySealed || !stored.userKeySealed) {
    return { ok: false, reason: 'Fill in every Track & Trace setting (Metrc address, facility licence, vendor key, user key).' };
  }
  let vendorKey: string;
  let userKey: string;
  try {
    vendorKey = secretBox.open(stored.vendorKeySealed);
    userKey = secretBox.open(stored.userKeySealed);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const licenseNumber = stored.licenseNumber.trim();
  return {
    ok: true,
    config: {
      provider: 'metrc_v2',
      endpoint,
      licenseNumber,
      vendorKey,
      userKey,
      location: licenseNumber,
      terminalId: stored.terminalId.trim() || '1',
      timeZone: stored.timeZone,
      advanced: stored.advanced,
    },
  };
}
