import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../../main/audit/log.js';
import { applyCommand } from '../../../main/core/commands.js';
import { openStore, type Store } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { migrationsFolder, tempDir } from '../../support/paths.js';

let store: Store;
let cleanup: () => void;
function open(): Store {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore({ file: join(t.dir, 'r.sqlite'), migrationsFolder });
  return store;
}
afterEach(() => {
  store.close();
  cleanup();
});

function appendMany(count: number): void {
  for (let i = 0; i < count; i++) {
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'test.event', customerId: `C${i}`, details: { i } }, 1_000 + i);
  }
}

describe('audit chain', () => {
  it('verifies an intact chain', () => {
    open();
    appendMany(20);
    expect(verifyAuditChain(store.sqlite)).toEqual({ ok: true, checked: 20, firstBroken: null });
  });

  it('names the first event whose content was changed', () => {
    open();
    appendMany(10);
    store.sqlite.exec('DROP TRIGGER audit_events_no_update');
    store.sqlite.prepare("UPDATE audit_events SET details = '{\"i\":999}' WHERE seq = 4").run();
    const result = verifyAuditChain(store.sqlite);
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.seq).toBe(4);
    expect(result.firstBroken?.reason).toMatch(/changed/);
  });

  it('names the gap where an event was removed', () => {
    open();
    appendMany(10);
    store.sqlite.exec('DROP TRIGGER audit_events_no_delete');
    store.sqlite.prepare('DELETE FROM audit_events WHERE seq = 6').run();
    const result = verifyAuditChain(store.sqlite);
    expect(result.firstBroken?.seq).toBe(7);
    expect(result.firstBroken?.reason).toMatch(/event 6 is missing/);
  });

  it('detects a rewritten event whose own hash was recomputed', () => {
    open();
    appendMany(5);
    store.sqlite.exec('DROP TRIGGER audit_events_no_update');
    // A forger who recomputes the hash of event 2 still breaks the link of event 3.
    store.sqlite.prepare("UPDATE audit_events SET hash = (CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END) || substr(hash, 2) WHERE seq = 2").run();
    expect(verifyAuditChain(store.sqlite).firstBroken?.seq).toBe(2);
  });

  it('refuses updates and deletes outright', () => {
    open();
    appendMany(1);
    expect(() => store.sqlite.prepare("UPDATE audit_events SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => store.sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
  });
});

describe('applyCommand', () => {
  it('applies a command once and records who did it', () => {
    open();
    const commandId = newId();
    const write = () => {
      store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('n', '1', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1").run();
      return { result: { done: true }, audit: { customerId: 'C9', details: { why: 'test' } } };
    };
    expect(applyCommand(store.sqlite, { commandId, name: 'test.bump', actorId: 'E7' }, write).replayed).toBe(false);
    expect(applyCommand(store.sqlite, { commandId, name: 'test.bump', actorId: 'E7' }, write)).toEqual({ result: { done: true }, replayed: true });
    expect(store.sqlite.prepare("SELECT value FROM settings WHERE key='n'").get()).toEqual({ value: '1' });
    const events = store.sqlite.prepare('SELECT employee_id, action, customer_id FROM audit_events').all();
    expect(events).toEqual([{ employee_id: 'E7', action: 'test.bump', customer_id: 'C9' }]);
  });

  it('writes nothing, not even the audit event, when the command fails', () => {
    open();
    expect(() =>
      applyCommand(store.sqlite, { commandId: newId(), name: 'test.fail', actorId: null }, () => {
        store.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('half', '1', 1)").run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.sqlite.prepare("SELECT COUNT(*) AS n FROM settings WHERE key='half'").get()).toEqual({ n: 0 });
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM audit_events').get()).toEqual({ n: 0 });
  });
});
