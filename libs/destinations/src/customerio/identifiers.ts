// How Customer.io names a person (Segment's resolveIdentifiers): a
// `cio_` prefix addresses the internal id, an email-looking value is an email, anything else is
// your id; an anonymous id is used only when nothing else is known.

export type PersonIdentifiers = { id: string } | { email: string } | { cio_id: string } | { anonymous_id: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

export function personIdentifiers(person: {
  personId?: string | undefined;
  email?: string | undefined;
  anonymousId?: string | undefined;
}): PersonIdentifiers | undefined {
  const { personId, email, anonymousId } = person;
  if (personId) {
    if (personId.startsWith('cio_')) return { cio_id: personId.slice(4) };
    return isEmail(personId) ? { email: personId } : { id: personId };
  }
  if (email) return { email };
  if (anonymousId) return { anonymous_id: anonymousId };
  return undefined;
}

export function isAnonymous(identifiers: PersonIdentifiers): identifiers is { anonymous_id: string } {
  return 'anonymous_id' in identifiers;
}
