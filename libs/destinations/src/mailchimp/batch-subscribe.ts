import {
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { listMergeFields, mailchimpRequest } from './api';
import { resolveMerge, type PlannedMember } from './member-flow';
import type { MailchimpSettings } from './settings';

// Identifies in batches (setting `batchSize` > 1): POST /lists/{id} `{members: [...], update_existing:
// true}`, at most 500 members, each with its status, merge fields and tags. Mailchimp's batch has
// no `status_if_new`: each member is sent `subscribed`, which also applies to members already in
// the audience (Mailchimp refuses it for those who unsubscribed: their events are rejected alone).
// As for one member, the merge fields are read first when any member has merge values (and the
// missing ones created). Mailchimp answers 200 with an `errors` entry per member it refused: those
// events are rejected, the others delivered.

export const BATCH_MERGE_STEP = 'batch-merge-fields';
/** Members one batch subscribe takes. */
export const MAX_BATCH_MEMBERS = 500;

interface BatchState {
  members: PlannedMember[];
  /** The event (its index in the batch) of each member. */
  events: number[];
  created?: boolean;
}

const batchPath = (listId: string) => `/lists/${encodeURIComponent(listId)}`;

function subscribe(
  members: readonly PlannedMember[],
  merges: readonly Record<string, unknown>[],
  events: number[],
  settings: MailchimpSettings,
) {
  const body = {
    members: members.map((member, index) => {
      const merge = merges[index] ?? {};
      return {
        email_address: member.email,
        status: member.statusIfNew,
        ...(Object.keys(merge).length > 0 ? { merge_fields: merge } : {}),
        ...(member.tags.length > 0 ? { tags: member.tags } : {}),
      };
    }),
    update_existing: true,
    sync_tags: false,
  };
  const request = mailchimpRequest(settings, 'POST', batchPath(members[0]?.listId ?? settings.listId), body);
  return { ...request, itemEvents: events };
}

/**
 * The requests of a batch of identifies of one audience: one batch subscribe per round, a round
 * holding each email at most once (Mailchimp refuses a batch naming a member twice), each preceded
 * by the read of the audience's merge fields when one of its members has merge values.
 */
export function batchSubscribeRequests(
  members: readonly PlannedMember[],
  settings: MailchimpSettings,
): RequestDescriptor[] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  members.forEach((member, event) => {
    const key = member.email.toLowerCase();
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(event);
  });
  const requests: RequestDescriptor[] = [];
  for (const round of rounds) {
    for (let start = 0; start < round.length; start += MAX_BATCH_MEMBERS) {
      const events = round.slice(start, start + MAX_BATCH_MEMBERS);
      const chunk = events.map((event) => members[event] as PlannedMember);
      if (chunk.every((member) => Object.keys(member.merge).length === 0)) {
        requests.push(subscribe(chunk, [], events, settings));
        continue;
      }
      const state: BatchState = { members: chunk, events };
      requests.push({
        ...listMergeFields(settings, chunk[0]?.listId ?? settings.listId, { step: BATCH_MERGE_STEP, state }),
        itemEvents: events,
      });
    }
  }
  return requests;
}

/** After the audience's merge fields are read for a batch: create what is missing, or subscribe. */
export function batchMergeFollowUp(answer: string, state: unknown, settings: MailchimpSettings, notices: Notices) {
  const { members, events, created } = state as BatchState;
  const next = resolveMerge(
    answer,
    members,
    created === true,
    settings,
    (index) => notices.forEvent(events[index] as number),
    () =>
      listMergeFields(settings, members[0]?.listId ?? settings.listId, {
        step: BATCH_MERGE_STEP,
        state: { members, events, created: true } satisfies BatchState,
      }),
  );
  return 'create' in next ? next.create : [subscribe(members, next.merges, events, settings)];
}

/** Whether a request is a batch subscribe (POST /lists/{id}). */
export function isBatchSubscribe(request: RequestDescriptor): boolean {
  return request.method === 'POST' && /\/lists\/[^/]+$/.test(new URL(request.url).pathname);
}

/** A batch subscribe's 200: one outcome per member, those in `errors` rejected with Mailchimp's words. */
export function batchSubscribeOutcome(
  response: HttpResponseInfo,
  request: RequestDescriptor,
): ResponseOutcome | undefined {
  const body = parseJsonBody(response.body);
  const sent = parseJsonBody(request.body ?? '');
  if (
    !isPlainObject(body) ||
    !Array.isArray(body['errors']) ||
    !isPlainObject(sent) ||
    !Array.isArray(sent['members'])
  ) {
    return undefined;
  }
  const refused = new Map<string, string>();
  for (const error of body['errors'].filter(isPlainObject)) {
    const field = error['field'] ? ` (${String(error['field'])})` : '';
    refused.set(
      String(error['email_address']).toLowerCase(),
      `Mailchimp ${String(error['error_code'] ?? 'error')}: ${String(error['error'] ?? '')}${field}`,
    );
  }
  const items = sent['members'].map((member): DeliveryOutcome => {
    const email = isPlainObject(member) ? String(member['email_address']).toLowerCase() : '';
    const message = refused.get(email);
    return message
      ? { kind: 'dead-letter', reason: 'REJECTED', status: 400, message }
      : { kind: 'delivered', status: response.status };
  });
  return refused.size > 0 ? { kind: 'per-item', items } : { kind: 'delivered', status: response.status };
}
