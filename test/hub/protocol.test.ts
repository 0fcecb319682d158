import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { commandBody, hubRequest, pairingProof, replySchemas, serverFrame } from '../../hub/protocol.js';

describe('hub protocol', () => {
  it('parses a pushed sale command and refuses one with a field of the wrong type', () => {
    const sale = {
      kind: 'sale.record',
      payload: {
        saleId: ulid(),
        receiptNumber: 12,
        customerId: ulid(),
        patientCustomerId: null,
        channel: 'medical',
        employeeId: ulid(),
        totalCents: 4200,
        taxCents: 300,
        completedAt: Date.now(),
        businessDate: '2026-12-07',
        queueEntryId: null,
        grantId: ulid(),
        allotmentUsed: [{ limitId: 'usable_cannabis', unit: 'mg', amount: 3500 }],
        lines: [{ lineNo: 1, productId: ulid(), name: 'Blue Dream 3.5 g', category: 'flower', quantity: 1, netCents: 3900, taxCents: 300, allotmentCounts: { usable_cannabis: 3500 } }],
      },
    };
    const parsed = commandBody.parse(sale);
    expect(parsed.kind).toBe('sale.record');
    if (parsed.kind === 'sale.record') expect(parsed.payload.outagePolicy).toBe('none');
    expect(commandBody.safeParse({ ...sale, payload: { ...sale.payload, totalCents: '42.00' } }).success).toBe(false);
    expect(commandBody.safeParse({ kind: 'sale.teleport', payload: {} }).success).toBe(false);
  });

  it('keys replies by request type and frames doorbells and errors', () => {
    const req = hubRequest.parse({ type: 'pull', hubEpoch: ulid(), since: 0 });
    expect(req.type).toBe('pull');
    expect(Object.keys(replySchemas).sort()).toEqual(['claim', 'grant_reconcile', 'grant_return', 'grant_revoke', 'hello', 'pull', 'push', 'release', 'renew', 'status']);
    expect(serverFrame.parse({ type: 'doorbell', version: 7, hubEpoch: ulid() }).type).toBe('doorbell');
    expect(serverFrame.safeParse({ type: 'error', rid: 1, code: 'teapot', message: 'x' }).success).toBe(false);
  });

  it('proves the pairing code over the fingerprint seen, not over another', () => {
    const fp = Array.from({ length: 32 }, () => 'AB').join(':');
    const other = Array.from({ length: 32 }, () => 'CD').join(':');
    expect(pairingProof('12345678', fp)).toMatch(/^[0-9a-f]{64}$/);
    expect(pairingProof('12345678', fp)).not.toBe(pairingProof('12345678', other));
    expect(pairingProof('12345678', fp)).not.toBe(pairingProof('12345679', fp));
  });
  it('reads a pull page holding a change row of an entity it does not know (a newer hub) as unknown, keeping its name, rather than refusing the page', () => {
    const row = (entity: unknown) => ({ version: 7, entity, id: 'x', op: 'upsert', data: { a: 1 }, commandId: null, deviceId: null, at: 1 });
    const page = replySchemas.pull.parse({ hubEpoch: ulid(), changes: [row('queue_entry'), row('customer_future')], latestVersion: 7, more: false, hubTimeMs: 1 });
    expect(page.changes.map((c) => c.entity)).toEqual(['queue_entry', 'unknown']);
    expect(page.changes[0]?.unknownEntity).toBeUndefined();
    expect(page.changes[1]?.unknownEntity).toBe('customer_future');
    expect(replySchemas.pull.safeParse({ hubEpoch: ulid(), changes: [row(42)], latestVersion: 7, more: false, hubTimeMs: 1 }).success).toBe(false);
  });
});
