/** What a value of each format looks like, said the way a person would (JSON Schema's and zod's names). */
export const FORMATS: Record<string, string> = {
  uri: 'a URL such as https://example.com/path',
  url: 'a URL such as https://example.com/path',
  'uri-reference': 'a URL or a path such as /path',
  email: 'an email address such as name@example.com',
  hostname: 'a host name such as api.example.com',
  ipv4: 'an IPv4 address such as 192.0.2.1',
  ipv6: 'an IPv6 address such as 2001:db8::1',
  'date-time': 'a date and time such as 2026-01-31T12:00:00Z',
  datetime: 'a date and time such as 2026-01-31T12:00:00Z',
  date: 'a date such as 2026-01-31',
  time: 'a time such as 12:00:00Z',
  uuid: 'a UUID such as 123e4567-e89b-12d3-a456-426614174000',
  regex: 'a regular expression',
};

/** Each value type in words (JSON Schema's and zod's names). */
export const TYPES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of named values',
  null: 'empty',
};

export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export const formatInWords = (format: string): string => `must be ${FORMATS[format] ?? `in the ${format} format`}`;

export const choicesInWords = (values: readonly unknown[]): string =>
  `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

/** A length, size or count limit: `what` is characters, items or entries. */
export function limitInWords(bound: 'min' | 'max', limit: number, what: 'characters' | 'items' | 'entries'): string {
  const unit = plural(limit, what === 'characters' ? 'character' : what === 'items' ? 'item' : 'entry', what);
  if (what === 'characters') {
    if (bound === 'min' && limit === 1) return 'must not be empty';
    return `must be at ${bound === 'min' ? 'least' : 'most'} ${unit} long`;
  }
  const verb = what === 'items' ? 'list' : 'have';
  return `must ${verb} at ${bound === 'min' ? 'least' : 'most'} ${unit}`;
}

export function rangeInWords(bound: 'min' | 'max', limit: unknown, inclusive: boolean): string {
  if (bound === 'min') return inclusive ? `must be ${String(limit)} or more` : `must be more than ${String(limit)}`;
  return inclusive ? `must be ${String(limit)} or less` : `must be less than ${String(limit)}`;
}
