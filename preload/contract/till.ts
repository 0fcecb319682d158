/**
 * The till (issue 17): receipt printers, the print queue, the cash drawer and its sessions, X and Z
 * reports. The printer and drawer settings live in the settings key `till.config`.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const printerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'A printer id is 1 to 40 letters, digits, - or _.');

/**
 * How bytes reach a printer. Windows USB printers go through the spooler's RAW mode (PowerShell +
 * winspool's WritePrinter): no native module to rebuild for each Electron version, at the price
 * of no paper or cover status (the spooler cannot read the printer back). Prefer a network or
 * serial (virtual COM) printer where status matters.
 */
export const printerTransportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tcp'), host: z.string().trim().min(1).max(255), port: z.number().int().min(1).max(65535).default(9100) }).strict(),
  /** Linux USB printer class: /dev/usb/lp* (the deb's udev rule gives the lp group access). */
  z.object({ kind: z.literal('usb_linux'), path: z.string().regex(/^\/dev\/(usb\/lp\d+|receipt\d*)$/, 'Choose a /dev/usb/lp device.') }).strict(),
  z.object({ kind: z.literal('serial'), path: z.string().trim().min(1).max(260), baudRate: z.number().int().min(1200).max(921600).default(9600) }).strict(),
  /** Windows: a spooler queue name, printed RAW. */
  z.object({ kind: z.literal('windows_spooler'), queue: z.string().trim().min(1).max(200) }).strict(),
]);
export type PrinterTransport = z.infer<typeof printerTransportSchema>;

export const printerConfigSchema = z
  .object({
    id: printerIdSchema,
    name: z.string().trim().min(1, 'Give the printer a name.').max(60),
    transport: printerTransportSchema,
    language: z.enum(['esc-pos', 'star-prnt', 'star-line']).default('esc-pos'),
    /** A model from the encoder's list (codepages, widths), or null for a generic ESC/POS printer. */
    model: z.string().max(40).nullable().default(null),
    columns: z.number().int().min(24).max(64).default(42),
    codepage: z.string().max(20).default('auto'),
    drawer: z
      .object({
        pin: z.union([z.literal(2), z.literal(5)]).default(2),
        onMs: z.number().int().min(10).max(500, 'A drawer pulse longer than 500 ms is not sent correctly: use 500 or less.').default(100),
        offMs: z.number().int().min(10).max(500, 'Use an off time of 500 ms or less.').default(500),
        /**
         * What the printer's drawer signal (connector pin 3, DLE EOT 1) reads while the drawer is
         * open: the wiring differs between drawers, so it is set at the store with the drawer open.
         * not_wired: the drawer has no switch, or nobody set it; no drawer state is shown.
         */
        openSignal: z.enum(['not_wired', 'high', 'low']).default('not_wired'),
      })
      .strict()
      .default({ pin: 2, onMs: 100, offMs: 500, openSignal: 'not_wired' }),
  })
  .strict();
export type PrinterConfig = z.infer<typeof printerConfigSchema>;

export const tillConfigSchema = z
  .object({
    printers: z.array(printerConfigSchema).max(10).default([]),
    /** The printer this register prints receipts on (and kicks its drawer through). */
    receiptPrinterId: printerIdSchema.nullable().default(null),
    /** The drawer this register's sessions are for. */
    drawerId: printerIdSchema.default('drawer-1'),
    /** An over/short beyond this many cents needs a manager to close the drawer. */
    overShortApprovalCents: z.number().int().min(0).max(100_000).default(500),
    /** A paid-out above this needs a manager. */
    paidOutApprovalCents: z.number().int().min(0).max(1_000_000).default(2_000),
    /** Closing counts are entered before the expected cash is shown. */
    blindClose: z.boolean().default(true),
    /** The business day ends at this hour (store time): a sale at 1:30 with 4 belongs to the day before. */
    dayEndHour: z.number().int().min(0).max(12).default(4),
    /** Bills and coins counted, in cents. */
    denominations: z.array(z.number().int().positive()).min(1).max(20).default([10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1]),
  })
  .strict();
export type TillConfig = z.infer<typeof tillConfigSchema>;


export const printerConditionSchema = z.enum(['ready', 'offline', 'cover_open', 'paper_out', 'unreachable', 'unknown', 'not_configured']);

export const printerStatusSchema = z.object({
  printer: z.object({ id: z.string(), name: z.string(), where: z.string() }).nullable(),
  condition: printerConditionSchema,
  /** Words for staff when something is wrong (what to do); empty when ready. */
  message: z.string(),
  /** The drawer switch signal where the printer reports it (open/closed wiring varies by drawer). */
  drawerSignal: z.boolean().nullable(),
  /** The cash drawer as the printer last reported it, read with the printer's openSignal setting; null when not known. */
  drawer: z.enum(['open', 'closed']).nullable(),
  paperLow: z.boolean(),
  /** Receipts and other jobs waiting for the printer. */
  waiting: z.number().int(),
  /** Jobs that may or may not have printed when the register stopped: a person reprints or dismisses them. */
  uncertain: z.array(
    z.object({ jobId: z.number().int(), kind: z.enum(['receipt', 'reprint', 'kick', 'report', 'test']), saleId: z.string().nullable(), receiptNumber: z.number().int().nullable(), at: z.number().int() }),
  ),
});
export type PrinterStatusView = z.infer<typeof printerStatusSchema>;

export const foundPrinterSchema = z.object({ label: z.string(), transport: printerTransportSchema });

const countsSchema = z.record(z.string().regex(/^\d{1,6}$/), z.number().int().min(0).max(100_000));
const reasonSchema = z.string().trim().min(2, 'Give a reason.').max(200);

export const sessionTotalsSchema = z.object({
  floatCents: z.number().int(),
  cashSalesCents: z.number().int(),
  cashRefundsCents: z.number().int(),
  dropsCents: z.number().int(),
  pickupsCents: z.number().int(),
  paidInCents: z.number().int(),
  paidOutCents: z.number().int(),
  noSales: z.number().int(),
  expectedCents: z.number().int(),
});

export const drawerSessionSchema = z.object({
  id: z.string(),
  drawerId: z.string(),
  status: z.enum(['open', 'closed']),
  openedByName: z.string(),
  openedAt: z.number().int(),
  floatCents: z.number().int(),
  closedAt: z.number().int().nullable(),
  countedCents: z.number().int().nullable(),
  overShortCents: z.number().int().nullable(),
  /** Null while the close is blind and the person may not see expected cash. */
  totals: sessionTotalsSchema.nullable(),
});
export type DrawerSessionView = z.infer<typeof drawerSessionSchema>;

const reportKindSchema = z.enum(['x', 'z']);
const businessDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is YYYY-MM-DD.');

export const tillReportSchema = z.object({
  kind: reportKindSchema,
  businessDate: z.string(),
  timeZone: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  madeAt: z.number().int(),
  zNo: z.number().int().nullable(),
  sales: z.object({ count: z.number().int(), grossCents: z.number().int(), discountCents: z.number().int(), netCents: z.number().int(), taxCents: z.number().int(), totalCents: z.number().int() }),
  byChannel: z.array(z.object({ channel: z.enum(['medical', 'adult_use']), count: z.number().int(), totalCents: z.number().int() })),
  taxes: z.array(z.object({ kind: z.string(), label: z.string(), cents: z.number().int() })),
  tenders: z.array(z.object({ kind: z.string(), salesCents: z.number().int(), refundCents: z.number().int(), netCents: z.number().int() })),
  returns: z.array(z.object({ kind: z.enum(['void', 'return']), count: z.number().int(), refundCents: z.number().int(), taxCents: z.number().int() })),
  points: z.object({ earned: z.number().int(), redeemed: z.number().int(), reversed: z.number().int() }),
  drawers: z.array(
    z.object({
      id: z.string(),
      drawerId: z.string(),
      status: z.enum(['open', 'closed']),
      openedByName: z.string(),
      openedAt: z.number().int(),
      closedAt: z.number().int().nullable(),
      countedCents: z.number().int().nullable(),
      overShortCents: z.number().int().nullable(),
      totals: sessionTotalsSchema,
    }),
  ),
  /** Cash taken while no drawer session was open. */
  cashWithoutDrawerCents: z.number().int(),
  /** Sales of the day not yet accepted by the track-and-trace system. */
  traceUnposted: z.number().int(),
});
export type TillReport = z.infer<typeof tillReportSchema>;

const reportRequest = z.object({ kind: reportKindSchema, businessDate: businessDateSchema.optional() }).strict();
const reportView = z.object({ report: tillReportSchema, lines: z.array(z.string()) });

export const tillCalls = {
  'till.status': { request: z.object({}).strict(), response: printerStatusSchema },
  'till.config.get': {
    request: z.object({}).strict(),
    response: z.object({ config: tillConfigSchema, models: z.array(z.object({ id: z.string(), name: z.string() })) }),
  },
  /** Add or replace a printer (by id). */
  'till.printers.save': { request: z.object({ printer: printerConfigSchema }).strict(), response: tillConfigSchema },
  'till.printers.remove': { request: z.object({ printerId: z.string().min(1).max(40) }).strict(), response: tillConfigSchema },
  /** The printer this register prints receipts on (null: none). */
  'till.printers.choose': { request: z.object({ printerId: z.string().min(1).max(40).nullable() }).strict(), response: tillConfigSchema },
  /** USB printer-class devices and serial ports present now (network printers are added by address). */
  'till.printers.find': { request: z.object({}).strict(), response: z.array(foundPrinterSchema) },
  'till.printers.test': { request: z.object({ printerId: z.string().min(1).max(40) }).strict(), response: z.object({ jobId: z.number().int() }) },
  'till.printers.check': { request: z.object({ printerId: z.string().min(1).max(40) }).strict(), response: printerStatusSchema },
  'till.receipt.reprint': { request: z.object({ saleId: z.string().min(1).max(40) }).strict(), response: z.object({ jobId: z.number().int() }) },
  'till.jobs.resolve': {
    request: z.object({ jobId: z.number().int(), choice: z.enum(['reprint', 'dismiss']) }).strict(),
    response: printerStatusSchema,
  },
  /** Open the drawer without a sale: a manager's grant for action till.noSale. */
  'till.drawer.noSale': {
    request: z.object({ commandId: commandIdSchema, reason: reasonSchema, grantId: z.string().min(1).max(64) }).strict(),
    response: z.object({ queued: z.literal(true) }),
  },
  'till.session.get': { request: z.object({}).strict(), response: drawerSessionSchema.nullable() },
  'till.session.open': { request: z.object({ commandId: commandIdSchema, counts: countsSchema }).strict(), response: drawerSessionSchema },
  'till.session.move': {
    request: z
      .object({
        commandId: commandIdSchema,
        kind: z.enum(['drop', 'pickup', 'paid_in', 'paid_out']),
        amountCents: z.number().int().positive().max(10_000_000),
        reason: reasonSchema,
        grantId: z.string().min(1).max(64).optional(),
      })
      .strict(),
    response: drawerSessionSchema,
  },
  'till.session.close': {
    request: z.object({ commandId: commandIdSchema, counts: countsSchema, note: z.string().trim().max(300).optional(), grantId: z.string().min(1).max(64).optional() }).strict(),
    response: drawerSessionSchema,
  },
  /** An X report (today's business date unless one is named), or a Z already made. */
  'till.report.get': { request: reportRequest, response: reportView },
  /** Make today's Z report (once per business date; every drawer closed first). */
  'till.report.makeZ': { request: z.object({ commandId: commandIdSchema, businessDate: businessDateSchema.optional() }).strict(), response: reportView },
  'till.report.print': { request: reportRequest, response: z.object({ jobId: z.number().int() }) },
  'till.report.pdf': { request: reportRequest, response: z.object({ fileName: z.string(), base64: z.string() }) },
  'till.report.csv': { request: reportRequest, response: z.object({ fileName: z.string(), text: z.string() }) },
} as const;

export const tillEvents = {
  /** The receipt printer's status or its queue changed. */
  'till.printerChanged': printerStatusSchema,
} as const;
