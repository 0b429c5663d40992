/**
 * JSON text with NaN, Infinity and -Infinity written as strings ("NaN", "Infinity",
 * "-Infinity"), as PostgreSQL's to_json writes them. DuckDB's to_json writes them bare, which is
 * not JSON: a row holding one would reach no destination (translators could not parse its event)
 * and a preview of it would fail. Text without them is returned as it is, after one scan for the
 * words (a string that merely contains them is scanned and left alone).
 */
export function quoteNonFiniteNumbers(text: string): string {
  if (!MAYBE_NON_FINITE.test(text)) return text;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      // Past the string: its escapes (\" among them) are two characters each.
      i++;
      while (i < text.length && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
      i++;
      continue;
    }
    const word = ch === N ? 'NaN' : ch === I ? 'Infinity' : ch === MINUS ? '-Infinity' : undefined;
    if (word !== undefined && text.startsWith(word, i)) {
      out += `${text.slice(from, i)}"${word}"`;
      i += word.length;
      from = i;
      continue;
    }
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

const MAYBE_NON_FINITE = /NaN|Infinity/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const N = 0x4e;
const I = 0x49;
const MINUS = 0x2d;
