/**
 * Devices: barcode scanners, card readers and document scanners (issue 4).
 *
 * ## The `scan.received` event (stable: customers, checkout and rewards subscribe to it)
 *
 * Every scan from every configured device (serial, USB HID POS, keyboard wedge, magnetic stripe,
 * the scan simulator) is recognised by its CONTENT in the core and broadcast once to every screen,
 * whichever screen has focus. The payload is discriminated by `kind`:
 *
 *   { kind: 'licence', licence: ScannedLicence, warnings, raw, ...source }
 *       An AAMVA licence barcode (header `@\n\x1e\rANSI ` / `AAMVA`) parsed by main/licenses.
 *       Goes to intake and identification (the Customers screen). `raw` is the decoded text
 *       exactly as scanned (it contains LF, RS and CR); do not store it unless the jurisdiction
 *       allows keeping scanned licence data.
 *   { kind: 'product', code, symbology, ...source }
 *       A product barcode (UPC/EAN with a valid check digit, or another printable code such as a
 *       package tag). Goes to the ticket (the Register screen). `symbology` is the device's
 *       symbology id when it sent one (HID POS: e.g. "]E0 UPC-A"), else what the digits imply, or null.
 *   { kind: 'card', cardNumber, ...source }
 *       A magnetic-stripe swipe (ISO 7813 track 2, else track 1) reduced to the card number.
 *       Goes to the rewards card lookup. Raw track data is never sent, logged or stored.
 *   { kind: 'unrecognised', rawVisible, message, ...source }
 *       Nothing can use it (cut short, a bad check digit, an unknown format). `message` says what
 *       to do; `rawVisible` shows what arrived with control characters made visible (⟨LF⟩ etc.).
 *       The shell shows it as a banner.
 *
 * `source` fields on every kind: `scanId` (ULID), `at` (epoch ms), `deviceId`, `deviceName`,
 * `transport`.
 *
 * Document scanners (watched folder, command) produce `document.received` instead: an image
 * copied once into the register's data folder, with its sha256.
 */
import { z } from 'zod';
import { commandIdSchema, deviceStatusSchema } from './common.js';

// ---------------------------------------------------------------------------------------------
// Device configuration (saved in the settings key `devices.config`, validated on read and write)
// ---------------------------------------------------------------------------------------------

const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'A device id is 1 to 40 letters, digits, - or _.');
const usbIdSchema = z.number().int().min(0).max(0xffff);
const nameSchema = z.string().trim().min(1, 'Give the device a name.').max(60);

const baseDevice = {
  id: deviceIdSchema,
  name: nameSchema,
  enabled: z.boolean().default(true),
};

/** USB identity: vendor id and (when the device reports one) its serial number, never a path. */
export const usbMatchSchema = z
  .object({
    vendorId: usbIdSchema,
    productId: usbIdSchema.optional(),
    serialNumber: z.string().trim().min(1).max(120).optional(),
  })
  .strict();

export const serialFramingSchema = z.discriminatedUnion('mode', [
  /** A suffix the scanner appends and that never occurs in the data (e.g. ETX 03). Hex bytes. */
  z
    .object({
      mode: z.literal('suffix'),
      suffixHex: z
        .string()
        .regex(/^([0-9A-Fa-f]{2})( ?[0-9A-Fa-f]{2})*$/, 'The suffix is hex bytes, e.g. "03" or "0D 0A".')
        .refine((hex) => !/^0a$/i.test(hex.trim()), 'LF alone cannot end a scan: licences contain LF. Use another suffix or an inter-byte timeout.'),
    })
    .strict(),
  /** A scan ends after this many milliseconds of silence. */
  z.object({ mode: z.literal('interByte'), timeoutMs: z.number().int().min(5).max(2000) }).strict(),
]);
export type SerialFraming = z.infer<typeof serialFramingSchema>;

export const serialDeviceSchema = z
  .object({
    ...baseDevice,
    transport: z.literal('serial'),
    /** A USB serial device by vendor id (+ serial number), or, only for a virtual port without USB ids, its path. */
    match: z.union([usbMatchSchema, z.object({ path: z.string().min(1).max(260) }).strict()]),
    baudRate: z.number().int().min(300).max(921_600).default(9600),
    framing: serialFramingSchema,
  })
  .strict();

export const hidPosDeviceSchema = z
  .object({ ...baseDevice, transport: z.literal('hid-pos'), match: usbMatchSchema })
  .strict();

/** A MagTek-style HID swipe reader (vendor usage page, one 337-byte report per swipe). */
export const hidMsrDeviceSchema = z
  .object({ ...baseDevice, transport: z.literal('hid-msr'), match: usbMatchSchema })
  .strict();

export const keyboardDeviceSchema = z
  .object({
    ...baseDevice,
    transport: z.literal('keyboard'),
    /** Keys closer together than this are a scanner, slower ones a person (scanners: 1 to 100 ms). */
    maxInterKeyMs: z.number().int().min(2).max(200).default(40),
    /** Fewer keys than this in a burst are never a scan. */
    minLength: z.number().int().min(3).max(100).default(6),
    /** Text the scanner sends before / after each scan (stripped); optional. */
    prefix: z.string().max(8).optional(),
    suffix: z.string().max(8).optional(),
  })
  .strict();

export const folderDeviceSchema = z
  .object({
    ...baseDevice,
    transport: z.literal('folder'),
    /** The folder the scanner's own software saves images into. */
    inboxDir: z.string().min(1).max(500),
  })
  .strict();

export const commandDeviceSchema = z
  .object({
    ...baseDevice,
    transport: z.literal('command'),
    /** argv; `{out}` is replaced by the file the command must write, e.g. scanimage --format=png -o {out}. */
    command: z.array(z.string().min(1).max(500)).min(1).max(40),
  })
  .strict();

export const deviceConfigSchema = z.discriminatedUnion('transport', [
  serialDeviceSchema,
  hidPosDeviceSchema,
  hidMsrDeviceSchema,
  keyboardDeviceSchema,
  folderDeviceSchema,
  commandDeviceSchema,
]);
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
export type DeviceTransport = DeviceConfig['transport'];

export const devicesConfigSchema = z
  .object({ version: z.literal(1), devices: z.array(deviceConfigSchema).max(32) })
  .strict()
  .refine((config) => new Set(config.devices.map((d) => d.id)).size === config.devices.length, 'Two devices have the same id.');
export type DevicesConfig = z.infer<typeof devicesConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Scans
// ---------------------------------------------------------------------------------------------

const transportOfScan = z.enum(['serial', 'hid-pos', 'hid-msr', 'keyboard', 'simulator']);

const scanSource = {
  scanId: z.string(),
  at: z.number().int(),
  deviceId: z.string(),
  deviceName: z.string(),
  transport: transportOfScan,
};

/** The licence fields main/licenses reads (same names as its ParsedLicense). */
export const scannedLicenceSchema = z.object({
  licenseNumber: z.string().nullable(),
  firstName: z.string().nullable(),
  middleName: z.string().nullable(),
  lastName: z.string().nullable(),
  nameSuffix: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  expirationDate: z.string().nullable(),
  issueDate: z.string().nullable(),
  sex: z.enum(['M', 'F', 'X']).nullable(),
  street: z.string().nullable(),
  street2: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.enum(['USA', 'CAN']).nullable(),
  documentType: z.enum(['DL', 'ID']),
  aamvaVersion: z.number().int(),
  iin: z.string(),
  warnings: z.array(z.string()),
});
export type ScannedLicence = z.infer<typeof scannedLicenceSchema>;

export const scanReceivedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('licence'), licence: scannedLicenceSchema, warnings: z.array(z.string()), raw: z.string(), ...scanSource }),
  z.object({ kind: z.literal('product'), code: z.string(), symbology: z.string().nullable(), ...scanSource }),
  z.object({ kind: z.literal('card'), cardNumber: z.string(), ...scanSource }),
  z.object({ kind: z.literal('unrecognised'), rawVisible: z.string(), message: z.string(), ...scanSource }),
]);
export type ScanReceived = z.infer<typeof scanReceivedSchema>;
export type ScanKind = ScanReceived['kind'];

export const documentReceivedSchema = z.object({
  deviceId: z.string(),
  deviceName: z.string(),
  at: z.number().int(),
  /** Where the register keeps the image (its data folder's documents/). */
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.enum(['image/jpeg', 'image/png', 'image/tiff', 'application/pdf']),
  sizeBytes: z.number().int().positive(),
});
export type DocumentReceived = z.infer<typeof documentReceivedSchema>;

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

/** One key as the page saw it (keydown), for keyboard-wedge scanners and card readers. */
export const keyStrokeSchema = z
  .object({
    key: z.string().min(1).max(20),
    code: z.string().max(30),
    ctrl: z.boolean(),
    alt: z.boolean(),
    shift: z.boolean(),
    /** Milliseconds on the page's clock (event.timeStamp): only differences matter. */
    t: z.number().nonnegative(),
  })
  .strict();
export type KeyStroke = z.infer<typeof keyStrokeSchema>;

export const lastRawSchema = z.object({
  at: z.number().int(),
  rawVisible: z.string(),
  byteCount: z.number().int(),
  /** e.g. "licence (SAMPLE, MICHAEL)", "product 012345678905 (UPC-A)", "unrecognised: ..." */
  recognisedAs: z.string(),
});
export type LastRaw = z.infer<typeof lastRawSchema>;

export const configuredDeviceSchema = z.object({
  config: deviceConfigSchema,
  status: deviceStatusSchema,
  /** The last thing this device sent, for the test panel (null until it sends something). */
  lastRaw: lastRawSchema.nullable(),
});
export type ConfiguredDevice = z.infer<typeof configuredDeviceSchema>;

export const foundSerialPortSchema = z.object({
  path: z.string(),
  vendorId: z.number().int().nullable(),
  productId: z.number().int().nullable(),
  serialNumber: z.string().nullable(),
  manufacturer: z.string().nullable(),
});
export const foundHidDeviceSchema = z.object({
  vendorId: z.number().int(),
  productId: z.number().int(),
  serialNumber: z.string().nullable(),
  manufacturer: z.string().nullable(),
  product: z.string().nullable(),
  usagePage: z.number().int().nullable(),
  usage: z.number().int().nullable(),
  /** What this interface is good for: HID POS scanner (0x8C), keyboard (cannot be read), other. */
  role: z.enum(['hid-pos', 'keyboard', 'msr', 'other']),
});
export type FoundSerialPort = z.infer<typeof foundSerialPortSchema>;
export type FoundHidDevice = z.infer<typeof foundHidDeviceSchema>;

export const devicesCalls = {
  /** Configured devices with their live status and last raw scan (Settings > Devices). */
  'devices.list': {
    request: z.object({}).strict(),
    response: z.object({ devices: z.array(configuredDeviceSchema), simulator: z.boolean() }),
  },
  /** Serial ports and HID devices plugged in now (enumeration is costly: on request only). */
  'devices.discover': {
    request: z.object({}).strict(),
    response: z.object({
      serialPorts: z.array(foundSerialPortSchema),
      hidDevices: z.array(foundHidDeviceSchema),
      problems: z.array(z.string()),
    }),
  },
  /** Adds a device, or replaces the one with the same id. */
  'devices.save': {
    request: z.object({ commandId: commandIdSchema, device: deviceConfigSchema }).strict(),
    response: deviceConfigSchema,
  },
  'devices.remove': {
    request: z.object({ commandId: commandIdSchema, id: deviceIdSchema }).strict(),
    response: z.object({ removed: z.literal(true) }),
  },
  /**
   * Browser host: the page's keystrokes (a burst ended by a pause), classified in the core by
   * each keyboard device's timing. Answers how many scans were found (already routed).
   */
  'devices.keys': {
    request: z.object({ keys: z.array(keyStrokeSchema).min(1).max(4096) }).strict(),
    response: z.object({ scans: z.number().int() }),
  },
  /**
   * The document scanners a profile's Capture Photo and Scan MD Rec can run (enabled command
   * sources), for anyone logged in: the budtender at intake captures, only managers configure.
   */
  'devices.documentSources': {
    request: z.object({}).strict(),
    response: z.array(z.object({ id: deviceIdSchema, name: z.string() })),
  },
  /** Runs a command document source once (its "Scan" button). */
  'devices.captureDocument': {
    request: z.object({ id: deviceIdSchema }).strict(),
    response: documentReceivedSchema,
  },
} as const;

export const devicesEvents = {
  'scan.received': scanReceivedSchema,
  'document.received': documentReceivedSchema,
} as const;
