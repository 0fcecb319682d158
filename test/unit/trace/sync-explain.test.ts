/**
 * The Sync screen explains every sale it could not settle on its own (issue 20): for each kind of
 * write and each state a sale can be left in, the words a person reads say what the register did
 * and what a person must do, in the store's state system's name, with no codes or raw errors of
 * our own making.
 */
import { describe, expect, test } from 'vitest';
import { explain, type SyncRow } from '../../../renderer/src/screens/trace/format.js';

function row(overrides: Partial<SyncRow>): SyncRow {
  return {
    id: '01JF0000000000000000000000',
    kind: 'dispense',
    saleId: '01JF0000000000000000000001',
    customerId: null,
    customerName: 'Rosa Delgado',
    cardId: 'MP7K2Q9X4D',
    state: 'pending',
    attempts: 0,
    lastError: null,
    lastErrorCode: null,
    remoteTxnId: null,
    saleTime: 0,
    createdAt: 0,
    updatedAt: 0,
    totalCents: 4500,
    itemCount: 1,
    dismissedReason: null,
    dismissedByName: null,
    waitingFor: null,
    ...overrides,
  };
}

const KINDS = ['dispense', 'void', 'refund'] as const;
const WORD = { dispense: 'sale', void: 'void', refund: 'refund' } as const;

/** Every way a row can be left for a person or for later: state plus what the row says. */
const UNSETTLED: Array<[string, Partial<SyncRow>, RegExp]> = [
  ['refused by the state', { state: 'rejected', attempts: 1, lastError: 'The card has expired.', lastErrorCode: '605' }, /will not send it again by itself.*resend.*dismiss/],
  ['outcome unknown', { state: 'unknown', attempts: 1, lastError: 'Outcome unknown (no answer within 60000 ms): checking with the state before sending again.' }, /may or may not be in \w+.*look for it.*before sending anything again/],
  ['two equal matches', { state: 'needs_person', attempts: 1, lastError: 'BioTrack lists 2 sales that match this one equally: a manager must say which one it is.' }, /will not send it again.*manager compares the matches/],
  ['not sent, will try again', { state: 'pending', attempts: 2, lastError: 'Not sent: connection refused (the service is down or the address is wrong). It will be sent when the state answers again.' }, /^Not reported yet: \w+ has not taken this \w+, and the register will try again by itself\. What happened last time is under Last error\.$/],
  ['tried, no error kept', { state: 'pending', attempts: 1, lastError: null }, /^Not reported yet: \w+ has not taken this \w+, and the register will try again by itself\.$/],
  ['waiting for its sale', { state: 'pending', waitingFor: 'the sale it belongs to has been reported' }, /waits until the sale it belongs to has been reported/],
  ['being sent', { state: 'in_flight', attempts: 1 }, /is being sent to \w+ now\.$/],
];

describe('every sale the register could not settle on its own is explained', () => {
  for (const kind of KINDS) {
    test.each(UNSETTLED)(`${kind}: %s`, (_name, overrides, words) => {
      for (const system of ['BioTrack', 'Metrc']) {
        const text = explain(row({ kind, ...overrides }), system);
        expect(text).not.toBeNull();
        expect(text!).toMatch(words);
        if (overrides.state !== 'pending' || overrides.waitingFor) expect(text!).toContain(WORD[kind]);
        if (overrides.state !== 'pending') expect(text!).toContain(system);
        expect(text!).not.toContain(system === 'Metrc' ? 'BioTrack' : 'Metrc');
        expect(text!).not.toMatch(/undefined|null|\[object/);
      }
    });
  }

  test.each([
    ['reported', { state: 'acknowledged', attempts: 1, remoteTxnId: '1001' }],
    ['dismissed', { state: 'dismissed', attempts: 1, dismissedReason: 'Card expired', dismissedByName: 'Max Manager' }],
    ['queued, not tried yet', { state: 'pending', attempts: 0 }],
  ] as const)('%s: nothing to explain', (_name, overrides) => {
    expect(explain(row(overrides))).toBeNull();
  });
});
