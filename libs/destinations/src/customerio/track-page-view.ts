import { z } from 'zod';
import { defineAction, DropEventError, lenient } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { entityAction } from './entity';
import { occurrenceEntity, occurrenceFields, occurrenceMapping } from './event-entity';
import { customerioSettings } from './settings';

// Page → a page view named by its URL (Segment's preset requires one), else by the page's name:
// server-side SDKs send pages with a name and no URL, which Segment's preset drops. The page's
// name and category (Spec fields outside `properties`) go with the properties when the
// properties do not already carry them.

const fields = z.object({
  ...occurrenceFields,
  url: lenient.string(),
  pageName: lenient.string(),
  category: lenient.string(),
});

export const trackPageView = defineAction(customerioSettings, {
  title: 'Track page view',
  description: 'Page: a page view named by its URL, or by the page name when there is no URL.',
  fields,
  defaultMapping: {
    ...occurrenceMapping,
    url: coalesce('$.properties.url', '$.context.page.url'),
    pageName: { '@path': '$.name' },
    category: { '@path': '$.category' },
  },
  ...entityAction(fields, (payload, settings, notices) => {
    const name = payload.url?.trim() ? payload.url : payload.pageName?.trim() ? payload.pageName : undefined;
    if (!name) throw new DropEventError('INVALID_PAYLOAD', 'Customer.io page views need a URL or a page name');
    const data = { ...payload.data };
    if (payload.pageName && data['name'] === undefined) data['name'] = payload.pageName;
    if (payload.category && data['category'] === undefined) data['category'] = payload.category;
    return [occurrenceEntity('page', { ...payload, data, name }, settings, notices)];
  }),
});
