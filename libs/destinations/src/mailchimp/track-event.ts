import { z } from 'zod';
import {
  defineAction,
  DropEventError,
  isPlainObject,
  lenient,
  valueType,
  type Notices,
} from '@manifold/destination-kit';
import { coalesce, isoDateTime, optionalText, record } from '../common/fields';
import { mailchimpRequest, memberPath } from './api';
import { mailchimpSettings } from './settings';

// Track → POST /lists/{list}/members/{md5(email)}/events: a member event (it can start
// automations), as RudderStack maps it. Mailchimp takes event names of 2 to 30 letters, digits,
// `_` and `-`, and property values as text: other characters become `_` and longer names are cut
// (a notice), numbers and booleans go as text, objects and lists as JSON text (a notice). The
// member must exist in the audience (Mailchimp answers 404 otherwise).

const NAME_MAX = 30;

const fields = z.object({
  listId: optionalText(),
  email: lenient.email(),
  name: z.string().min(1),
  occurredAt: isoDateTime(),
  isSyncing: lenient.boolean(),
  properties: record(),
});

function eventName(event: string, notices: Notices): string {
  let name = event.trim().replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length > NAME_MAX) name = name.slice(0, NAME_MAX);
  if (name.length < 2) name = name.padEnd(2, '_');
  if (name !== event) notices.reshaped('name', `sent as ${name} (letters, digits, _ and -, 2 to 30)`);
  return name;
}

function textProperties(properties: Record<string, unknown>, notices: Notices): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    const field = `properties.${key}`;
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') {
      notices.converted(field, valueType(value), 'string');
      out[key] = String(value);
    } else {
      notices.reshaped(field, `${isPlainObject(value) ? 'object' : 'list'} sent as JSON text`);
      out[key] = JSON.stringify(value);
    }
  }
  return out;
}

export const trackEvent = defineAction(mailchimpSettings, {
  title: 'Add member event',
  description: 'Track: an event of the audience member with this email.',
  fields,
  defaultMapping: {
    listId: { '@path': '$.integrations.MailChimp.listId' },
    email: coalesce('$.properties.email', '$.context.traits.email'),
    name: { '@path': '$.event' },
    occurredAt: { '@path': '$.timestamp' },
    isSyncing: { '@path': '$.properties.isSyncing' },
    properties: { '@path': '$.properties' },
  },
  perform: (payload, settings, notices) => {
    if (!payload.email) {
      throw new DropEventError(
        'INVALID_PAYLOAD',
        'Mailchimp member events need an email (properties.email or context.traits.email)',
      );
    }
    const { email: _email, isSyncing: _isSyncing, ...properties } = payload.properties;
    return [
      mailchimpRequest(settings, 'POST', `${memberPath(payload.listId ?? settings.listId, payload.email)}/events`, {
        name: eventName(payload.name, notices),
        properties: textProperties(properties, notices),
        occurred_at: new Date(Date.parse(payload.occurredAt)).toISOString(),
        is_syncing: payload.isSyncing ?? false,
      }),
    ];
  },
});
