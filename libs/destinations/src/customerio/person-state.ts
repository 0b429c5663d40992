import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { entityAction } from './entity';
import { personIdentifiers } from './identifiers';
import { customerioSettings } from './settings';

// "User Deleted", "User Suppressed" and "User Unsuppressed" track events change the person
// itself (Segment's deletePerson / suppressPerson / unsuppressPerson) instead of being events.

const fields = z.object({
  personId: z.string().min(1),
  operation: z.enum(['delete', 'suppress', 'unsuppress']),
});

export const personState = defineAction(customerioSettings, {
  title: 'Delete, suppress or unsuppress person',
  description: 'Deletes, suppresses or unsuppresses the person named by userId.',
  fields,
  defaultMapping: { personId: { '@path': '$.userId' }, operation: { '@literal': 'delete' } },
  ...entityAction(fields, (payload) => [
    {
      type: 'person' as const,
      action: payload.operation,
      identifiers: personIdentifiers({ personId: payload.personId }) as Record<string, string>,
    },
  ]),
});
