import { DropEventError, lenient } from '@manifold/destination-kit';
import { compact, optionalText } from '../common/fields';

// Iterable names a user by email or userId (which one a project requires depends on its type);
// every identifier the event has is sent. An event with neither is dropped.

export const identityFields = { email: lenient.email(), userId: optionalText() };

export function identity(
  payload: { email?: string | null | undefined; userId?: string | undefined },
  what: string,
): { email?: string; userId?: string } {
  if (!payload.email && !payload.userId) {
    throw new DropEventError('INVALID_PAYLOAD', `Iterable ${what} needs an email or a userId`);
  }
  return compact({ email: payload.email ?? undefined, userId: payload.userId });
}

/** Unix seconds of an ISO date-time. */
export const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
