import { z } from 'zod';
import { defineAction, DropEventError, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, optionalText, record, soft } from '../common/fields';
import { customValues, sendWithFields, type PendingRecord } from './custom-fields';
import { JOB_STEP } from './job-status';
import { zendeskSettings, type ZendeskSettings } from './settings';

// Identify → POST /api/v2/users/create_or_update, as Segment's classic destination: the user
// matched by email or external_id (the userId), name (or first and last name), phone, time zone,
// organization id; other traits as user fields (custom-fields.ts). The role is never sent, so an
// agent identified from the product is not turned into an end user; new users are end users.

const fields = z.object({
  email: lenient.email(),
  externalId: optionalText(),
  name: soft.string(),
  firstName: soft.string(),
  lastName: soft.string(),
  phone: lenient.phone(),
  timeZone: soft.string(),
  organizationId: lenient.integer(),
  traits: record(),
});

type UserPayload = z.output<typeof fields>;

const MOVED = [
  'email',
  'name',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'phone',
  'timezone',
  'organizationId',
];

function userBody(payload: UserPayload, settings: ZendeskSettings): Record<string, unknown> {
  if (!payload.email && !payload.externalId) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Zendesk users need an email (traits.email) or an external_id (userId)',
    );
  }
  const joined = [payload.firstName, payload.lastName].filter(Boolean).join(' ');
  return compact({
    email: payload.email,
    external_id: payload.externalId,
    name: payload.name ?? (joined || undefined),
    phone: payload.phone,
    time_zone: payload.timeZone,
    organization_id: payload.organizationId,
    verified: settings.createUsersAsVerified ? true : undefined,
  });
}

function userRecord(payload: UserPayload, settings: ZendeskSettings, notices: Notices): PendingRecord {
  return { body: userBody(payload, settings), custom: customValues(payload.traits, MOVED, 'user_fields', notices) };
}

/** Zendesk's cap on users per create_or_update_many. */
export const MAX_BULK_USERS = 100;

export const identifyUser = defineAction(zendeskSettings, {
  title: 'Create or update user',
  description: 'Identify: creates or updates the Zendesk user matched by email or external id, traits as user fields.',
  fields,
  defaultMapping: {
    email: { '@path': '$.traits.email' },
    externalId: { '@path': '$.userId' },
    name: { '@path': '$.traits.name' },
    firstName: coalesce('$.traits.firstName', '$.traits.first_name'),
    lastName: coalesce('$.traits.lastName', '$.traits.last_name'),
    phone: { '@path': '$.traits.phone' },
    timeZone: { '@path': '$.traits.timezone' },
    organizationId: { '@path': '$.traits.organizationId' },
    traits: { '@path': '$.traits' },
  },
  perform: (payload, settings, notices: Notices) => [
    sendWithFields(
      {
        model: 'user',
        path: '/api/v2/users/create_or_update',
        records: [userRecord(payload, settings, notices)],
      },
      settings,
    ),
  ],
  // Several users: one create_or_update_many (a job), whose status is read once it is queued.
  batch: {
    maxEvents: MAX_BULK_USERS,
    size: (settings) => settings.batchSize,
    perform: (payloads, settings, notices) => [
      sendWithFields(
        {
          model: 'user',
          path: '/api/v2/users/create_or_update_many',
          many: true,
          records: payloads.map((payload, i) => userRecord(payload, settings, notices[i] as Notices)),
          then: { step: JOB_STEP, state: {} },
        },
        settings,
      ),
    ],
  },
});
