/**
 * Whose allotment a visit or sale uses: the one rule the register's capture and the hub's check-in,
 * claim and sale all call (hub/allotment-holder.ts).
 */
import { describe, expect, it } from 'vitest';
import { allotmentHolder } from '../../../hub/protocol.js';

describe('allotmentHolder', () => {
  it('a patient kept on the caregiver profile, else a patient customer, else the customer', () => {
    expect(allotmentHolder({ customerId: 'caregiver', caregiverPatientId: 'kept', patientCustomerId: 'patient' })).toBe('kept');
    expect(allotmentHolder({ customerId: 'caregiver', caregiverPatientId: null, patientCustomerId: 'patient' })).toBe('patient');
    expect(allotmentHolder({ customerId: 'caregiver', patientCustomerId: undefined })).toBe('caregiver');
    // A sale with no customer (adult use, walk-in): nobody's allotment.
    expect(allotmentHolder({ customerId: null })).toBeNull();
  });
});
