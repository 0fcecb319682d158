/**
 * Whose allotment a visit or a sale uses: one rule for the register (what it captures, which grant
 * it charges) and the hub (the check-in's balance, the claim's grant, the sale's charge).
 *
 *  1. a patient kept on the caregiver's profile (`caregiverPatientId`: the visit or sale names them);
 *  2. else a patient customer the caregiver buys for (`patientCustomerId`; a caregiver buying for
 *     themselves names themselves here);
 *  3. else the customer.
 *
 * A register never names both 1 and 2 on one sale; the order only makes every side agree if one did.
 * No imports: the register (main/) and the hub both load this file.
 */
export interface AllotmentParties<C extends string | null = string> {
  customerId: C;
  caregiverPatientId?: string | null | undefined;
  patientCustomerId?: string | null | undefined;
}

export function allotmentHolder<C extends string | null>(parties: AllotmentParties<C>): string | C {
  return parties.caregiverPatientId ?? parties.patientCustomerId ?? parties.customerId;
}
