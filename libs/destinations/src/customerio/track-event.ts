import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { entityAction } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping, occurrenceName } from './event-entity';
import { customerioSettings } from './settings';

const fields = z.object({ ...occurrenceFields, name: occurrenceName() });

export const trackEvent = defineAction(customerioSettings, {
  title: 'Track event',
  description: 'Track: an event of a known or anonymous person, deduplicated on the messageId.',
  fields,
  defaultMapping: { ...occurrenceMapping, name: { '@path': '$.event' } },
  ...entityAction(fields, (payload, settings, notices) => [occurrenceEntity('event', payload, settings, notices)]),
});
