import { z } from 'zod';
import { coerce, defineAction, DropEventError, lenient, Notices } from '@manifold/destination-kit';
import { batchSubscribeRequests, MAX_BATCH_MEMBERS } from './batch-subscribe';
import { cutText } from '../common/cut-text';
import { coalesce, compact, optionalText, record } from '../common/fields';
import { mergeValues, type MergeValue } from './merge-values';
import { memberRequests, type AddressValue, type PlannedMember } from './member-flow';
import { mailchimpSettings, type MailchimpSettings } from './settings';

// Identify → PUT /lists/{list}/members/{md5(email)}: the member upserted (subscribed, or pending
// with double opt-in, when new; an existing member's status is never changed), its traits as
// merge fields (created when missing, member-flow.ts), then its `tags` added. With a batch size
// above 1, identifies of one audience go together through the batch subscribe (batch-subscribe.ts).

const fields = z.object({
  listId: optionalText(),
  email: lenient.email(),
  firstName: lenient.string(),
  lastName: lenient.string(),
  phone: lenient.string(),
  birthday: z.unknown().optional(),
  address: lenient.object(),
  tags: z.unknown().optional(),
  traits: record(),
});

type MemberPayload = z.output<typeof fields>;

/** Traits sent as standard merge fields, the email or tags: not repeated as merge fields. */
const MOVED = ['email', 'firstName', 'first_name', 'lastName', 'last_name', 'phone', 'birthday', 'address', 'tags'];

/** Mailchimp's ADDRESS needs a street, city, state and postal code; the rest is optional. */
function address(value: Record<string, unknown> | null | undefined, notices: Notices): AddressValue | undefined {
  if (!value) return undefined;
  const text = (key: string, ...from: string[]) => {
    const found = from.map((k) => value[k]).find((v) => v !== undefined && v !== null);
    return notices.coerce(`merge_fields.ADDRESS.${key}`, found, coerce.string);
  };
  const out = compact({
    addr1: text('addr1', 'street', 'line1'),
    addr2: text('addr2', 'line2'),
    city: text('city', 'city'),
    state: text('state', 'state'),
    zip: text('zip', 'postalCode', 'postal_code'),
    country: text('country', 'country'),
  }) as AddressValue;
  if (out.addr1 && out.city && out.state && out.zip) return out;
  notices.dropped('merge_fields.ADDRESS', 'Mailchimp needs street, city, state and postal code together');
  return undefined;
}

/** Mailchimp birthdays are MM/DD (no year). */
function birthday(value: unknown, notices: Notices): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && /^\d{2}\/\d{2}$/.test(value)) return value;
  const date = coerce.timestamp(value);
  if (!date.ok) {
    notices.dropped('merge_fields.BIRTHDAY', date.reason);
    return undefined;
  }
  notices.reshaped('merge_fields.BIRTHDAY', 'sent as MM/DD (Mailchimp birthdays have no year)');
  return `${date.value.slice(5, 7)}/${date.value.slice(8, 10)}`;
}

function tags(value: unknown, notices: Notices): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  list.forEach((tag: unknown) => {
    const name = notices.coerce('tags[]', tag, coerce.string)?.trim();
    if (name) out.push(cutText(name, 100, 'tags[]', notices));
  });
  return out;
}

function plan(payload: MemberPayload, settings: MailchimpSettings, notices: Notices): PlannedMember {
  if (!payload.email) throw new DropEventError('INVALID_PAYLOAD', 'Mailchimp members need an email (traits.email)');
  const standard: Record<string, { name: string; value: MergeValue | AddressValue } | undefined> = {
    FNAME: payload.firstName ? { name: 'firstName', value: payload.firstName } : undefined,
    LNAME: payload.lastName ? { name: 'lastName', value: payload.lastName } : undefined,
    PHONE: payload.phone ? { name: 'phone', value: payload.phone } : undefined,
  };
  const addr = address(payload.address, notices);
  if (addr) standard['ADDRESS'] = { name: 'address', value: addr };
  const day = birthday(payload.birthday, notices);
  if (day) standard['BIRTHDAY'] = { name: 'birthday', value: day };
  const custom = mergeValues(payload.traits, MOVED, notices);
  for (const tag of Object.keys(standard)) {
    if (standard[tag] && custom[tag]) {
      notices.dropped(`merge_fields.${custom[tag].name}`, `merge tag ${tag} already taken by ${standard[tag].name}`);
    }
  }
  return {
    listId: payload.listId ?? settings.listId,
    email: payload.email,
    statusIfNew: settings.doubleOptIn ? 'pending' : 'subscribed',
    merge: { ...custom, ...(compact(standard) as PlannedMember['merge']) },
    tags: tags(payload.tags, notices),
  };
}

export const upsertMember = defineAction(mailchimpSettings, {
  title: 'Upsert member',
  description: 'Identify: adds or updates the audience member, traits as merge fields, and adds its tags.',
  fields,
  defaultMapping: {
    listId: { '@path': '$.integrations.MailChimp.listId' },
    email: { '@path': '$.traits.email' },
    firstName: coalesce('$.traits.firstName', '$.traits.first_name'),
    lastName: coalesce('$.traits.lastName', '$.traits.last_name'),
    phone: { '@path': '$.traits.phone' },
    birthday: { '@path': '$.traits.birthday' },
    address: { '@path': '$.traits.address' },
    tags: { '@path': '$.traits.tags' },
    traits: { '@path': '$.traits' },
  },
  perform: (payload, settings, notices) => memberRequests(plan(payload, settings, notices), settings),
  batch: {
    maxEvents: MAX_BATCH_MEMBERS,
    // Mailchimp's batch sets each member's status: with double opt-in that would ask members
    // already subscribed to confirm again, so those instances upsert members one by one.
    size: (settings) => (settings.doubleOptIn ? 1 : settings.batchSize),
    key: (payload, settings) => payload.listId ?? settings.listId,
    perform: (payloads, settings, notices) =>
      batchSubscribeRequests(
        payloads.map((payload, index) => plan(payload, settings, notices[index] ?? new Notices())),
        settings,
      ),
  },
});
