import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { entityAction } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping } from './event-entity';
import { customerioSettings } from './settings';

const fields = z.object({ ...occurrenceFields, url: z.string().min(1).meta({ description: 'The page URL' }) });

export const trackPageView = defineAction(customerioSettings, {
  title: 'Track page view',
  description: 'Page: a page view named by its URL (required).',
  fields,
  defaultMapping: { ...occurrenceMapping, url: coalesce('$.properties.url', '$.context.page.url') },
  ...entityAction(fields, (payload, settings) => [
    occurrenceEntity('page', { ...payload, name: payload.url }, settings),
  ]),
});
