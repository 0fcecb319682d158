/**
 * Reading BioTrack v1's card_lookup answer, which no public source shows. The register accepts
 * only what it can read without guessing:
 *   - a status: `status` or `card_status` saying active / inactive (suspended, revoked) / expired,
 *     or an `active` flag;
 *   - for an active card, a remaining allotment with its unit: `allotment` as {amount|remaining|
 *     value, unit|uom}, or flat `remaining_allotment` / `allotment_remaining` with `allotment_unit`.
 * Anything else, including a missing status, is `unreadable`: the answer's fields go to a manager
 * as they came, and the card is never taken to be active. So is a JSON answer without a success
 * flag: BioTrack answered, but nothing in it says whether the lookup succeeded.
 */
import type { PatientLookup } from '../provider.js';
import { asFlag, asNumber, asText } from './parse.js';

const INACTIVE = /^(inactive|suspended|revoked|disabled|cancell?ed|denied)$/;

/** BioTrack's refusal text for a card it does not know (the real wording is not public). */
export function isCardNotFound(message: string): boolean {
  return /not (be )?found|no (such )?(card|patient)|invalid card|(card|patient)[^.]*does not exist|unknown (card|patient)/i.test(message);
}

/** A JSON answer the register cannot read as a whole (no success flag): the card as `unreadable`, with the raw fields. */
export function unreadableLookup(body: Record<string, unknown>, query: { cardId: string; caregiverCardId?: string | null }): PatientLookup {
  return { cardId: query.cardId, expiresOn: null, caregiverCardId: query.caregiverCardId ?? null, cardKey: null, status: 'unreadable', allotment: null, raw: rawFields(body) };
}

export function readCardLookup(body: Record<string, unknown>, query: { cardId: string; caregiverCardId?: string | null }): PatientLookup {
  const cardKey = asText(body.card_key);
  const base = {
    cardId: asText(body.card_id) ?? query.cardId,
    expiresOn: asText(body.expiration_date ?? body.card_expiration ?? body.expires),
    caregiverCardId: asText(body.caregiver_card_id) ?? query.caregiverCardId ?? null,
    cardKey,
  };
  const status = readStatus(body);
  const allotment = readAllotment(body);
  if (status === null || (status === 'active' && allotment === null)) {
    return { ...base, status: 'unreadable', allotment: null, raw: rawFields(body) };
  }
  return { ...base, status, allotment, raw: null };
}

function readStatus(body: Record<string, unknown>): 'active' | 'inactive' | 'expired' | null {
  const text = asText(body.status) ?? asText(body.card_status);
  if (text !== null) {
    const word = text.trim().toLowerCase();
    if (word === 'active') return 'active';
    if (word === 'expired') return 'expired';
    if (INACTIVE.test(word)) return 'inactive';
    return null;
  }
  const flag = asFlag(body.active);
  return flag === null ? null : flag ? 'active' : 'inactive';
}

function readAllotment(body: Record<string, unknown>): { amount: string; unit: string } | null {
  let amount: string | null = null;
  let unit: string | null = null;
  const nested = body.allotment;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    const record = nested as Record<string, unknown>;
    amount = asText(record.amount ?? record.remaining ?? record.value);
    unit = asText(record.unit ?? record.uom);
  } else {
    amount = asText(nested ?? body.remaining_allotment ?? body.allotment_remaining);
    unit = asText(body.allotment_unit);
  }
  const number = amount === null ? null : asNumber(amount);
  if (amount === null || number === null || number < 0 || !unit) return null;
  return { amount, unit };
}

/** Every field as text, for a manager to read (nested values as JSON, long ones cut). */
export function rawFields(body: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === 'success' || value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    fields[name] = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
  return fields;
}
