// Place names Meta wants as codes: US states as their two-letter USPS codes, countries as
// ISO 3166-1 alpha-2. Country names come from the runtime's ICU data (English names), so no
// list of 250 names is kept here.

const US_STATES: Record<string, string> = {
  alabama: 'al',
  alaska: 'ak',
  arizona: 'az',
  arkansas: 'ar',
  california: 'ca',
  colorado: 'co',
  connecticut: 'ct',
  delaware: 'de',
  districtofcolumbia: 'dc',
  florida: 'fl',
  georgia: 'ga',
  hawaii: 'hi',
  idaho: 'id',
  illinois: 'il',
  indiana: 'in',
  iowa: 'ia',
  kansas: 'ks',
  kentucky: 'ky',
  louisiana: 'la',
  maine: 'me',
  maryland: 'md',
  massachusetts: 'ma',
  michigan: 'mi',
  minnesota: 'mn',
  mississippi: 'ms',
  missouri: 'mo',
  montana: 'mt',
  nebraska: 'ne',
  nevada: 'nv',
  newhampshire: 'nh',
  newjersey: 'nj',
  newmexico: 'nm',
  newyork: 'ny',
  northcarolina: 'nc',
  northdakota: 'nd',
  ohio: 'oh',
  oklahoma: 'ok',
  oregon: 'or',
  pennsylvania: 'pa',
  rhodeisland: 'ri',
  southcarolina: 'sc',
  southdakota: 'sd',
  tennessee: 'tn',
  texas: 'tx',
  utah: 'ut',
  vermont: 'vt',
  virginia: 'va',
  washington: 'wa',
  westvirginia: 'wv',
  wisconsin: 'wi',
  wyoming: 'wy',
  puertorico: 'pr',
  guam: 'gu',
  americansamoa: 'as',
  northernmarianaislands: 'mp',
  virginislands: 'vi',
  usvirginislands: 'vi',
};

/** Letters and digits only, lower case: how Meta compares place names. */
export const alphanumeric = (value: string): string =>
  value
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

/** A US state name or code as its code; other regions as their cleaned name. */
export function stateCode(value: string): string {
  const clean = alphanumeric(value);
  return US_STATES[clean] ?? clean;
}

let countryNames: Map<string, string> | undefined;

/** English country names (cleaned) → alpha-2 code, built once from ICU. */
function countriesByName(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  countryNames = new Map();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name && name !== code) countryNames.set(alphanumeric(name), code.toLowerCase());
    }
  }
  // Names people write that ICU spells otherwise.
  for (const [name, code] of [
    ['usa', 'us'],
    ['unitedstatesofamerica', 'us'],
    ['uk', 'gb'],
    ['greatbritain', 'gb'],
    ['england', 'gb'],
  ] as const) {
    countryNames.set(name, code);
  }
  return countryNames;
}

/** An ISO 3166-1 alpha-2 code (lower case) for a code or English country name, or undefined. */
export function countryCode(value: string): string | undefined {
  const clean = alphanumeric(value);
  if (/^[a-z]{2}$/.test(clean)) {
    const known = [...countriesByName().values()].includes(clean);
    return known ? clean : undefined;
  }
  return countriesByName().get(clean);
}
