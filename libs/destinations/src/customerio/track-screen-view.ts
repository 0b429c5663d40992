import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { entityAction } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping, nonBlank } from './event-entity';
import { customerioSettings } from './settings';

const fields = z.object({ ...occurrenceFields, name: nonBlank() });

export const trackScreenView = defineAction(customerioSettings, {
  title: 'Track screen view',
  description: 'Screen: a screen view named by the screen name (required).',
  fields,
  defaultMapping: { ...occurrenceMapping, name: { '@path': '$.name' } },
  ...entityAction(fields, (payload, settings, notices) => [occurrenceEntity('screen', payload, settings, notices)]),
});
