import { z } from 'zod';
import {
  coerce,
  defineAction,
  isPlainObject,
  parseJsonBody,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { compact, optionalText, record } from '../common/fields';
import { zendeskGet, zendeskRequest } from './api';
import { customValues, sendWithFields } from './custom-fields';
import { zendeskSettings, type ZendeskSettings } from './settings';

// Group → POST /api/v2/organizations/create_or_update, matched by external_id (the groupId; never
// by name): name (required by Zendesk), domain names, tags, details, notes; other traits as
// organization fields. Then, when the event has a userId, the user with that external id is
// looked up (users/search) and made a member of the organization (organization_memberships);
// a user Zendesk does not have yet is left out with a notice.

export const ORGANIZATION_SAVED_STEP = 'organization-saved';
export const USER_FOUND_STEP = 'membership-user-found';

const fields = z.object({
  externalId: z.string().min(1),
  name: z.string().min(1),
  domainNames: z.unknown().optional(),
  tags: z.unknown().optional(),
  details: z.unknown().optional(),
  notes: z.unknown().optional(),
  userId: optionalText(),
  traits: record(),
});

type GroupPayload = z.output<typeof fields>;

const MOVED = ['name', 'domainNames', 'domain_names', 'tags', 'details', 'notes'];

/** A list of text from one value or a list, each item converted or left out with a notice. */
function textList(value: unknown, field: string, notices: Notices): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = (Array.isArray(value) ? value : [value])
    .map((item: unknown) => notices.coerce(`${field}[]`, item, coerce.string))
    .filter((item): item is string => !!item);
  return list.length > 0 ? list : undefined;
}

function organizationBody(payload: GroupPayload, notices: Notices): Record<string, unknown> {
  return compact({
    name: payload.name,
    external_id: payload.externalId,
    domain_names: textList(payload.domainNames, 'domain_names', notices),
    tags: textList(payload.tags, 'tags', notices),
    details: notices.coerce('details', payload.details, coerce.string),
    notes: notices.coerce('notes', payload.notes, coerce.string),
  });
}

export const groupOrganization = defineAction(zendeskSettings, {
  title: 'Create or update organization',
  description: 'Group: creates or updates the organization matched by external id, and adds the user to it.',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.groupId' },
    name: { '@path': '$.traits.name' },
    domainNames: { '@path': '$.traits.domainNames' },
    tags: { '@path': '$.traits.tags' },
    details: { '@path': '$.traits.details' },
    notes: { '@path': '$.traits.notes' },
    userId: { '@path': '$.userId' },
    traits: { '@path': '$.traits' },
  },
  perform: (payload, settings, notices) => [
    sendWithFields(
      {
        model: 'organization',
        path: '/api/v2/organizations/create_or_update',
        records: [
          {
            body: organizationBody(payload, notices),
            custom: customValues(payload.traits, MOVED, 'organization_fields', notices),
          },
        ],
        ...(payload.userId ? { then: { step: ORGANIZATION_SAVED_STEP, state: { userId: payload.userId } } } : {}),
      },
      settings,
    ),
  ],
});

const idOf = (answer: string, key: 'organization' | 'users'): number | undefined => {
  const body = parseJsonBody(answer);
  if (!isPlainObject(body)) return undefined;
  const record = key === 'users' ? (Array.isArray(body['users']) ? body['users'][0] : undefined) : body[key];
  return isPlainObject(record) && typeof record['id'] === 'number' ? record['id'] : undefined;
};

/** After the organization is saved: look up the user by external id. */
export function organizationSavedFollowUp(
  answer: string,
  state: unknown,
  settings: ZendeskSettings,
): RequestDescriptor[] {
  const organizationId = idOf(answer, 'organization');
  const { userId } = state as { userId: string };
  if (organizationId === undefined) return [];
  return [
    zendeskGet(
      settings,
      '/api/v2/users/search',
      { external_id: userId },
      {
        step: USER_FOUND_STEP,
        state: { organizationId },
      },
    ),
  ];
}

/** After the search: make the user a member, or note that Zendesk has no such user yet. */
export function userFoundFollowUp(
  answer: string,
  state: unknown,
  settings: ZendeskSettings,
  notices: Notices,
): RequestDescriptor[] {
  const userId = idOf(answer, 'users');
  if (userId === undefined) {
    notices.dropped('organization_membership', 'no Zendesk user has this userId as external_id yet');
    return [];
  }
  const { organizationId } = state as { organizationId: number };
  return [
    zendeskRequest(settings, '/api/v2/organization_memberships', {
      organization_membership: { user_id: userId, organization_id: organizationId },
    }),
  ];
}
