import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { entityAction, type Entity } from './entity';
import { personIdentifiers } from './identifiers';
import { customerioSettings } from './settings';

const fields = z.object({
  primary: z.string().min(1).meta({ description: 'The person that remains (userId)' }),
  secondary: z.string().min(1).meta({ description: 'The person merged into it and deleted (previousId)' }),
});

export const mergePeople = defineAction(customerioSettings, {
  title: 'Merge people',
  description: 'Alias: merges the previous person into the current one; merge takes no root identifiers.',
  fields,
  defaultMapping: { primary: { '@path': '$.userId' }, secondary: { '@path': '$.previousId' } },
  ...entityAction(fields, (payload): Entity[] => [
    {
      type: 'person',
      action: 'merge',
      primary: personIdentifiers({ personId: payload.primary }),
      secondary: personIdentifiers({ personId: payload.secondary }),
    },
  ]),
});
