import type { Notices } from '@manifold/destination-kit';

// Cutting text to an API's length limit without splitting a character. A JavaScript string is a
// list of UTF-16 code units, and a character outside the Basic Multilingual Plane (most emoji)
// takes two of them (a surrogate pair). `text.slice(0, n)` can end between the two: the half left
// is not a character, and arrives as U+FFFD or makes the API refuse the value. These cuts end
// before such a character instead, so it is sent whole or left out, never halved.
//
// The unit is the one the API counts in:
// - `utf16` (the default): JavaScript's `length`. Also the safe choice when an API counts
//   characters without saying which: a text of at most n code units has at most n code points.
// - `codePoints`: one per Unicode character (an emoji counts once).
// - `utf8`: bytes of the UTF-8 encoding.
//
// A character built from several code points (a flag, an emoji with a skin tone, a letter with a
// combining accent) may still be cut between its code points: each part is a valid character.

export type TextUnit = 'utf16' | 'codePoints' | 'utf8';

const UNIT_NAMES: Record<TextUnit, string> = { utf16: 'characters', codePoints: 'characters', utf8: 'bytes' };

/** The length of `text` in `unit`. */
export function textLength(text: string, unit: TextUnit = 'utf16'): number {
  if (unit === 'utf16') return text.length;
  if (unit === 'utf8') return Buffer.byteLength(text);
  let count = 0;
  for (const _character of text) count += 1;
  return count;
}

/** UTF-8 bytes of one code point as `for…of` gives it (a lone surrogate is encoded as U+FFFD, 3 bytes). */
function utf8Bytes(character: string): number {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code < 0x10000) return 3;
  return 4;
}

/**
 * The longest start of `text` of at most `max` units (see `TextUnit`) that does not end inside a
 * surrogate pair (or, in bytes, inside a character's encoding); `text` itself when it fits.
 */
export function cutToLimit(text: string, max: number, unit: TextUnit = 'utf16'): string {
  const limit = Math.max(0, Math.floor(max));
  if (unit === 'utf16') {
    if (text.length <= limit) return text;
    let end = limit;
    const last = text.charCodeAt(end - 1);
    const next = text.charCodeAt(end);
    // The cut would keep a high surrogate whose low half follows: end before the pair.
    if (end > 0 && last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) end -= 1;
    return text.slice(0, end);
  }
  // Code points and bytes: walk the text a code point at a time (surrogate pairs stay together).
  if (text.length <= limit && (unit === 'codePoints' || text.length * 3 <= limit)) return text;
  let used = 0;
  let end = 0;
  for (const character of text) {
    const size = unit === 'utf8' ? utf8Bytes(character) : 1;
    if (used + size > limit) return text.slice(0, end);
    used += size;
    end += character.length;
  }
  return text;
}

/**
 * `text` cut to `max` units (`cutToLimit`), with a notice under `field` when it was longer
 * ("cut to 40000 characters", "cut to 100 bytes").
 */
export function cutText(text: string, max: number, field: string, notices: Notices, unit: TextUnit = 'utf16'): string {
  const cut = cutToLimit(text, max, unit);
  if (cut !== text) notices.reshaped(field, `cut to ${max} ${UNIT_NAMES[unit]}`);
  return cut;
}
