/**
 * The reception tablet and the store's email: the register's calls (Settings › Tablet, Collect
 * Signature on a profile, Settings › Email, the Sync screen's email list), and the tablet's own
 * wire protocol (the tablet page ↔ the tablet server, main/tablet/server.ts), which is all a
 * tablet can ever send.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const empty = z.object({}).strict();
const idText = z.string().min(1).max(64);

// ---------------------------------------------------------------------------------------------
// Settings › Tablet
// ---------------------------------------------------------------------------------------------

export const tabletDeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  pairedAt: z.number().int(),
  lastSeenAt: z.number().int().nullable(),
  /** A page of this tablet is connected right now. */
  connected: z.boolean(),
});
export type TabletDevice = z.infer<typeof tabletDeviceSchema>;

export const tabletStatusSchema = z.object({
  enabled: z.boolean(),
  /** Where tablets reach the register while it is on: https://<address>:<port>/. */
  address: z.string().nullable(),
  /** SHA-256 fingerprint of the tablet server's certificate, as browsers show it (AA:BB:…). */
  fingerprint: z.string().nullable(),
  /** Why the tablet server is not listening, in words for staff; null when it is (or is off). */
  problem: z.string().nullable(),
  devices: z.array(tabletDeviceSchema),
});
export type TabletStatus = z.infer<typeof tabletStatusSchema>;

export const tabletPairingSchema = z.object({
  code: z.string(),
  /** The address the QR code holds (the code rides in the fragment, never sent to a server log). */
  url: z.string(),
  qrDataUrl: z.string(),
  expiresAt: z.number().int(),
  fingerprint: z.string(),
});
export type TabletPairing = z.infer<typeof tabletPairingSchema>;

export const AGREEMENT_MAX_CHARS = 20_000;
/** Placeholders the agreement text may hold; the register fills them in when it is sent. */
export const AGREEMENT_PLACEHOLDERS = ['{name}', '{date}', '{store}'] as const;

export const agreementSettingsSchema = z.object({
  text: z.string(),
  updatedAt: z.number().int().nullable(),
  updatedBy: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Collect Signature (a profile)
// ---------------------------------------------------------------------------------------------

export const contactChangeSchema = z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() });
export type ContactChange = z.infer<typeof contactChangeSchema>;

export const signatureRequestViewSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  deviceName: z.string(),
  state: z.enum(['waiting', 'signed', 'cancelled']),
  sentAt: z.number().int(),
  signedAt: z.number().int().nullable(),
  documentId: z.string().nullable(),
  contentSha256: z.string().nullable(),
  pdfSha256: z.string().nullable(),
  contactChanges: z.array(contactChangeSchema),
  /** The emailed copy, when the customer asked for one. */
  emailCopy: z.object({ to: z.string(), state: z.enum(['pending', 'sending', 'sent', 'failed']) }).nullable(),
});
export type SignatureRequestView = z.infer<typeof signatureRequestViewSchema>;

// ---------------------------------------------------------------------------------------------
// Settings › Email (SMTP) and the Sync screen's email list
// ---------------------------------------------------------------------------------------------

export const smtpSecuritySchema = z.enum(['tls', 'starttls', 'none']);

export const mailSettingsViewSchema = z.object({
  configured: z.boolean(),
  host: z.string(),
  port: z.number().int(),
  security: smtpSecuritySchema,
  user: z.string(),
  /** A password is kept (sealed); it is never sent back. */
  hasPassword: z.boolean(),
  fromAddress: z.string(),
  fromName: z.string(),
});
export type MailSettingsView = z.infer<typeof mailSettingsViewSchema>;

const emailSchema = z.string().trim().max(120).email('That is not an email address.');

export const mailSettingsInputSchema = z
  .object({
    host: z.string().trim().max(200),
    port: z.number().int().min(1).max(65535),
    security: smtpSecuritySchema,
    user: z.string().trim().max(200),
    /** Omitted: keep the password already kept. Empty: none. */
    password: z.string().max(500).optional(),
    fromAddress: z.union([z.literal(''), emailSchema]),
    fromName: z.string().trim().max(120),
  })
  .strict();
export type MailSettingsInput = z.infer<typeof mailSettingsInputSchema>;

export const mailOutboxRowSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  customerName: z.string().nullable(),
  state: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.number().int(),
  sentAt: z.number().int().nullable(),
});
export type MailOutboxRow = z.infer<typeof mailOutboxRowSchema>;

export const tabletCalls = {
  'tablet.status': { request: empty, response: tabletStatusSchema },
  'tablet.setEnabled': { request: z.object({ commandId: commandIdSchema, enabled: z.boolean() }).strict(), response: tabletStatusSchema },
  'tablet.startPairing': { request: empty, response: tabletPairingSchema },
  'tablet.revoke': { request: z.object({ commandId: commandIdSchema, deviceId: idText }).strict(), response: tabletStatusSchema },
  /** Paired tablets, for Collect Signature's choice. */
  'tablet.devices': { request: empty, response: z.array(tabletDeviceSchema) },
  'tablet.agreement.get': { request: empty, response: agreementSettingsSchema },
  'tablet.agreement.save': {
    request: z
      .object({ commandId: commandIdSchema, text: z.string().trim().min(1, 'Write the agreement first.').max(AGREEMENT_MAX_CHARS, `The agreement is at most ${AGREEMENT_MAX_CHARS} characters.`) })
      .strict(),
    response: agreementSettingsSchema,
  },
  'tablet.collectSignature': {
    request: z.object({ commandId: commandIdSchema, customerId: idText, deviceId: idText }).strict(),
    response: signatureRequestViewSchema,
  },
  'tablet.cancelSignature': { request: z.object({ commandId: commandIdSchema, requestId: idText }).strict(), response: signatureRequestViewSchema },
  /** The newest agreement sent for this customer, or null. */
  'tablet.signatureOf': { request: z.object({ customerId: idText }).strict(), response: signatureRequestViewSchema.nullable() },

  'mail.settings.get': { request: empty, response: mailSettingsViewSchema },
  'mail.settings.save': { request: z.object({ commandId: commandIdSchema, settings: mailSettingsInputSchema }).strict(), response: mailSettingsViewSchema },
  'mail.outbox': { request: z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(), response: z.array(mailOutboxRowSchema) },
  'mail.retry': { request: z.object({ commandId: commandIdSchema, id: idText }).strict(), response: mailOutboxRowSchema },
} as const;

export const tabletEvents = {
  /** A tablet paired, connected, left or was revoked, or an agreement was sent, signed or taken back. */
  'tablet.changed': z.object({ customerId: z.string().nullable() }),
  /** The email outbox changed (Sync screen). */
  'mail.changed': z.object({ pending: z.number().int(), failed: z.number().int() }),
} as const;

// ---------------------------------------------------------------------------------------------
// The tablet's wire protocol (JSON text frames on wss://…/tablet; POST /pair)
// ---------------------------------------------------------------------------------------------

/** A signature image is a PNG of a few tens of kilobytes; anything past this is refused. */
export const MAX_SIGNATURE_PNG_BYTES = 256 * 1024;
/** Base64 of MAX_SIGNATURE_PNG_BYTES, with the data: prefix. */
export const MAX_SIGNATURE_DATA_URL_CHARS = Math.ceil(MAX_SIGNATURE_PNG_BYTES / 3) * 4 + 32;
export const TABLET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const tabletPairRequestSchema = z
  .object({
    code: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{8}$/, 'The pairing code is 8 letters and digits.'),
    name: z.string().trim().min(1, 'Name this tablet.').max(40),
  })
  .strict();
export const tabletPairResponseSchema = z.union([
  z.object({ ok: z.literal(true), deviceId: z.string(), token: z.string(), name: z.string() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);

export const tabletClientMessageSchema = z.discriminatedUnion('type', [
  /** First message on every connection. */
  z.object({ type: z.literal('hello'), token: z.string().regex(TABLET_TOKEN_PATTERN, 'This is not a tablet token.') }).strict(),
  z
    .object({
      type: z.literal('submit'),
      requestId: idText,
      signaturePng: z
        .string()
        .max(MAX_SIGNATURE_DATA_URL_CHARS, 'The signature image is too large.')
        .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/, 'The signature is not a PNG image.'),
      email: z.union([z.literal(''), emailSchema]),
      phone: z.union([z.literal(''), z.string().trim().regex(/^[0-9 ()+.-]{7,20}$/, 'That is not a phone number.')]),
      sendCopy: z.boolean(),
    })
    .strict(),
]);
export type TabletClientMessage = z.infer<typeof tabletClientMessageSchema>;

export const tabletAgreementSchema = z.object({
  requestId: z.string(),
  customerName: z.string(),
  storeName: z.string(),
  /** The date on the agreement, in words (store time zone). */
  date: z.string(),
  text: z.string(),
  /** The register can email a copy (SMTP is set up). */
  copyOffered: z.boolean(),
});
export type TabletAgreement = z.infer<typeof tabletAgreementSchema>;

export const tabletErrorCodeSchema = z.enum(['not_paired', 'invalid_message', 'not_allowed', 'too_large', 'not_waiting', 'unavailable']);

export const tabletServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), deviceName: z.string(), storeName: z.string() }),
  /** Nothing to sign: the welcome screen. */
  z.object({ type: z.literal('idle') }),
  z.object({ type: z.literal('agreement'), agreement: tabletAgreementSchema }),
  /** The register has the signature (also when it had it already): never ask for it again. */
  z.object({ type: z.literal('received'), requestId: z.string() }),
  z.object({ type: z.literal('error'), code: tabletErrorCodeSchema, message: z.string(), requestId: z.string().nullable() }),
]);
export type TabletServerMessage = z.infer<typeof tabletServerMessageSchema>;

/** Close codes (4000-4999 are the application's): the page shows the reason and stops retrying. */
export const TABLET_CLOSE_NOT_PAIRED = 4401;
