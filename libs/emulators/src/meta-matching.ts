import { createHash } from 'node:crypto';

// Meta matches hashed customer information against its users' own data, normalised by Meta's
// rules; a value hashed without that normalisation (a zip with its dash, an email with its
// capitals, a birthday with dashes) is accepted and then matches nobody. Given the customers a
// test knows in clear, the emulator says for each hashed key it receives whether it matches one,
// was hashed without Meta's normalisation, or names someone unknown. Written from Meta's
// customer information parameters page, apart from the destination's code.

export type CustomerKey = 'em' | 'ph' | 'fn' | 'ln' | 'ge' | 'db' | 'ct' | 'st' | 'zp' | 'country' | 'external_id';
export type Customer = Partial<Record<CustomerKey, string>>;
export type MatchResult = 'matched' | 'not normalised' | 'unknown';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const lettersAndDigits = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

const NORMALISE: Record<CustomerKey, (value: string) => string> = {
  em: (v) => v.trim().toLowerCase(),
  ph: (v) => v.replace(/\D/g, '').replace(/^0+/, ''),
  fn: (v) =>
    v
      .trim()
      .toLowerCase()
      .replace(/[\p{P}\p{S}]/gu, ''),
  ln: (v) =>
    v
      .trim()
      .toLowerCase()
      .replace(/[\p{P}\p{S}]/gu, ''),
  ge: (v) => v.trim().toLowerCase().charAt(0),
  db: (v) => v.replace(/\D/g, '').slice(0, 8),
  ct: lettersAndDigits,
  st: lettersAndDigits,
  zp: (v) => {
    const clean = v.toLowerCase().replace(/[\s-]/g, '');
    return /^\d{9}$/.test(clean) ? clean.slice(0, 5) : clean;
  },
  country: lettersAndDigits,
  external_id: (v) => v.trim(),
};

/** Forms people hash by mistake: as written, only lower-cased, or with the spaces removed. */
const MISTAKES = [
  (v: string) => v,
  (v: string) => v.trim().toLowerCase(),
  (v: string) => v.replace(/\s/g, '').toLowerCase(),
];

export class CustomerMatcher {
  private readonly normalised = new Map<string, string>();
  private readonly mistaken = new Map<string, string>();

  constructor(customers: readonly Customer[]) {
    for (const customer of customers) {
      for (const [key, value] of Object.entries(customer) as [CustomerKey, string][]) {
        const good = sha(NORMALISE[key](value));
        this.normalised.set(`${key}|${good}`, value);
        for (const mistake of MISTAKES) {
          const bad = sha(mistake(value));
          if (bad !== good) this.mistaken.set(`${key}|${bad}`, value);
        }
      }
    }
  }

  match(key: string, hash: string): MatchResult {
    if (this.normalised.has(`${key}|${hash}`)) return 'matched';
    return this.mistaken.has(`${key}|${hash}`) ? 'not normalised' : 'unknown';
  }
}
