/**
 * ISO 7813 magnetic-stripe tracks to a card number. Track 2 (`;PAN=YYMM...?`) is tried first,
 * then track 1 format B (`%BPAN^NAME^YYMM...?`). Raw track data is never logged or stored.
 */

export type CardResult =
  | { ok: true; cardNumber: string; track: 1 | 2 }
  | { ok: false; reason: 'not_a_card' | 'unreadable' | 'licence_stripe' };

const TRACK2 = /;(\d{8,19})=(\d{4})?[^?]*\?/;
const TRACK2_BARE = /^;?(\d{8,19})=(\d{4})?[^?]*\??$/;
const TRACK1 = /%B(\d{8,19})\^([^^]{0,26})\^(\d{4})?[^?]*\?/;
const TRACK1_BARE = /^%?B(\d{8,19})\^([^^]{0,26})\^(\d{4})?[^?]*\??$/;
/** A private card with only a number on track 2 (`;12345678?`), common for loyalty cards. */
const TRACK2_NUMBER_ONLY = /;(\d{6,19})\?/;
/** AAMVA licence stripe: track 1 starts with the state code and city (`%ILCHICAGO^...`). */
const LICENCE_TRACK1 = /^%[A-Z]{2}[A-Z .'-]{1,13}\^/;

export function looksLikeSwipe(text: string): boolean {
  const trimmed = text.trim();
  return /^%[A-Z]/.test(trimmed) || /^;\d/.test(trimmed) || /^;[^\x00-\x1f]*\?/.test(trimmed);
}

export function parseCardTracks(input: string): CardResult {
  const text = input.replace(/[\r\n]+$/g, '').trim();
  if (LICENCE_TRACK1.test(text)) return { ok: false, reason: 'licence_stripe' };
  const track2 = TRACK2.exec(text) ?? TRACK2_BARE.exec(text);
  if (track2?.[1]) return { ok: true, cardNumber: track2[1], track: 2 };
  const track1 = TRACK1.exec(text) ?? TRACK1_BARE.exec(text);
  if (track1?.[1]) return { ok: true, cardNumber: track1[1], track: 1 };
  const numberOnly = TRACK2_NUMBER_ONLY.exec(text);
  if (numberOnly?.[1]) return { ok: true, cardNumber: numberOnly[1], track: 2 };
  if (looksLikeSwipe(text)) return { ok: false, reason: 'unreadable' };
  return { ok: false, reason: 'not_a_card' };
}
