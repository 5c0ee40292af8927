import { randomBytes } from "node:crypto";

/** Crockford base32 in lowercase: digits sort before letters, so string order is numeric order. */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

export const idPrefixes = { tenant: "ten", instance: "ins", invitation: "inv", backup: "bak" } as const;
export type IdKind = keyof typeof idPrefixes;

/** `ten_` + 10 time characters + 16 random characters (a lowercase ULID). */
export const idPatterns: Record<IdKind, RegExp> = {
  tenant: /^ten_[0-9a-hjkmnp-tv-z]{26}$/,
  instance: /^ins_[0-9a-hjkmnp-tv-z]{26}$/,
  invitation: /^inv_[0-9a-hjkmnp-tv-z]{26}$/,
  backup: /^bak_[0-9a-hjkmnp-tv-z]{26}$/,
};

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  return Array.from(randomBytes(16), (byte) => byte & 31);
}

/** Increments a base32 digit string in place; ids within one millisecond stay ordered. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i -= 1) {
    const digit = next[i] ?? 0;
    if (digit < 31) {
      next[i] = digit + 1;
      return next;
    }
    next[i] = 0;
  }
  // 80 bits overflowed within one millisecond: practically impossible, and a fresh draw keeps ids unique.
  return randomDigits();
}

/** A new time-sortable id: later calls in this container always sort after earlier ones. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  let time = now;
  if (time <= lastTime) {
    time = lastTime;
    lastRandom = increment(lastRandom);
  } else {
    lastTime = time;
    lastRandom = randomDigits();
  }
  let timePart = "";
  for (let i = 0; i < 10; i += 1) {
    timePart = alphabet[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  return `${idPrefixes[kind]}_${timePart}${lastRandom.map((digit) => alphabet[digit]).join("")}`;
}

/** Whether `value` is a well-formed id of `kind` (a malformed id can only be "not found"). */
export function isId(kind: IdKind, value: string): boolean {
  return idPatterns[kind].test(value);
}
