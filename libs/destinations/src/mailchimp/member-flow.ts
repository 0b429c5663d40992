import { coerce, isPlainObject, parseJsonBody, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { cutToLimit } from '../common/cut-text';
import { listMergeFields, mailchimpRequest, memberPath, mergeFieldsPath } from './api';
import type { MergeValue } from './merge-values';
import type { MailchimpSettings } from './settings';

// An identify's requests. Mailchimp refuses a member whose merge fields name a tag the audience
// does not have, or a value of another type, so the merge fields are read first
// (GET /lists/{id}/merge-fields); tags the audience lacks are created (text, or number for a
// number, when `createMergeFields` is on) and the fields read again; each value is converted to
// its field's type when that is lossless, else left out with a notice. Then the member is
// upserted, and then its tags added (the tags endpoint needs the member to exist).

export const MERGE_STEP = 'merge-fields';
export const MEMBER_SAVED_STEP = 'member-saved';

export interface AddressValue {
  addr1: string;
  addr2?: string;
  city: string;
  state: string;
  zip: string;
  country?: string;
}

export interface PlannedMember {
  /** The audience: the event's `integrations.MailChimp.listId`, else the setting. */
  listId: string;
  email: string;
  statusIfNew: 'subscribed' | 'pending';
  /** Merge values by tag, with the trait each came from. */
  merge: Record<string, { name: string; value: MergeValue | AddressValue }>;
  tags: string[];
}

interface MergeState {
  member: PlannedMember;
  created?: boolean;
}

/** PUT the member (then its tags), with the merge fields that passed. */
function upsert(member: PlannedMember, merge: Record<string, unknown>, settings: MailchimpSettings) {
  const body = {
    email_address: member.email,
    status_if_new: member.statusIfNew,
    ...(Object.keys(merge).length > 0 ? { merge_fields: merge } : {}),
  };
  const followUp =
    member.tags.length > 0
      ? { step: MEMBER_SAVED_STEP, state: { listId: member.listId, email: member.email, tags: member.tags } }
      : undefined;
  return [mailchimpRequest(settings, 'PUT', memberPath(member.listId, member.email), body, followUp)];
}

export function memberRequests(member: PlannedMember, settings: MailchimpSettings): RequestDescriptor[] {
  if (Object.keys(member.merge).length === 0) return upsert(member, {}, settings);
  return [listMergeFields(settings, member.listId, { step: MERGE_STEP, state: { member } satisfies MergeState })];
}

/** The audience's merge field types by tag. */
function mergeTypes(answer: string): Map<string, string> {
  const body = parseJsonBody(answer);
  const out = new Map<string, string>();
  const list = isPlainObject(body) && Array.isArray(body['merge_fields']) ? body['merge_fields'] : [];
  for (const field of list as unknown[]) {
    if (isPlainObject(field) && typeof field['tag'] === 'string') out.set(field['tag'], String(field['type']));
  }
  return out;
}

/** The value as a merge field of `type` takes it, or undefined with a notice. */
function asMergeType(value: MergeValue | AddressValue, type: string, field: string, notices: Notices): unknown {
  if (type === 'address') {
    if (isPlainObject(value)) return value;
    notices.dropped(field, 'an address field takes an address');
    return undefined;
  }
  if (isPlainObject(value)) {
    notices.dropped(field, `a ${type} field cannot take an address`);
    return undefined;
  }
  if (type === 'number') return notices.coerce(field, value, coerce.number);
  if (type === 'date') {
    const date = coerce.timestamp(value);
    if (!date.ok) notices.dropped(field, date.reason);
    if (!date.ok) return undefined;
    if (date.value.slice(0, 10) !== value) notices.reshaped(field, 'sent as YYYY-MM-DD');
    return date.value.slice(0, 10);
  }
  return notices.coerce(field, value, coerce.string);
}

/**
 * After the audience's merge fields are read: the requests creating the tags the members need and
 * the audience lacks (then a read again, `reread`), or, once there is nothing more to create, each
 * member's merge values converted to their fields' types (what does not fit left out with a notice
 * of that member's event).
 */
export function resolveMerge(
  answer: string,
  members: readonly PlannedMember[],
  created: boolean,
  settings: MailchimpSettings,
  noticesOf: (index: number) => Notices,
  reread: () => RequestDescriptor,
): { create: RequestDescriptor[] } | { merges: Record<string, unknown>[] } {
  const types = mergeTypes(answer);
  const missing = new Map<string, { listId: string; name: string; value: MergeValue | AddressValue }>();
  for (const member of members) {
    for (const [tag, { name, value }] of Object.entries(member.merge)) {
      if (!types.has(tag) && !missing.has(tag)) missing.set(tag, { listId: member.listId, name, value });
    }
  }
  if (missing.size > 0 && settings.createMergeFields && !created) {
    return {
      create: [
        ...[...missing].map(([tag, { listId, name, value }]) =>
          mailchimpRequest(settings, 'POST', mergeFieldsPath(listId), {
            tag,
            name: cutToLimit(name, 50),
            type: typeof value === 'number' ? 'number' : 'text',
          }),
        ),
        reread(),
      ],
    };
  }
  const why = settings.createMergeFields
    ? 'Mailchimp did not create this merge field'
    : 'no such merge field in the audience (creating them is turned off)';
  const merges = members.map((member, index) => {
    const notices = noticesOf(index);
    const merge: Record<string, unknown> = {};
    for (const [tag, { value }] of Object.entries(member.merge)) {
      const field = `merge_fields.${tag}`;
      const type = types.get(tag);
      if (type === undefined) {
        notices.dropped(field, why);
        continue;
      }
      const converted = asMergeType(value, type, field, notices);
      if (converted !== undefined) merge[tag] = converted;
    }
    return merge;
  });
  return { merges };
}

export function mergeFollowUp(
  answer: string,
  state: unknown,
  settings: MailchimpSettings,
  notices: Notices,
): RequestDescriptor[] {
  const { member, created } = state as MergeState;
  const next = resolveMerge(
    answer,
    [member],
    created === true,
    settings,
    () => notices,
    () =>
      listMergeFields(settings, member.listId, {
        step: MERGE_STEP,
        state: { member, created: true } satisfies MergeState,
      }),
  );
  return 'create' in next ? next.create : upsert(member, next.merges[0] ?? {}, settings);
}

/** After the member is saved: add its tags. */
export function memberSavedFollowUp(state: unknown, settings: MailchimpSettings): RequestDescriptor[] {
  const { listId, email, tags } = state as { listId: string; email: string; tags: string[] };
  return [
    mailchimpRequest(settings, 'POST', `${memberPath(listId, email)}/tags`, {
      tags: tags.map((name) => ({ name, status: 'active' })),
      is_syncing: false,
    }),
  ];
}
