import { createHash } from 'node:crypto';
import { eventMessageHeaders, type SpecEvent } from '@manifold/events';
import type { OutgoingMessage } from '@manifold/kafka';
import type { ChangeKind, RowChange } from '@manifold/warehouse';

/**
 * The track event name of each change kind, Segment's own, so that mappings written for its
 * Reverse ETL ("new", "updated", "deleted" with the row in `properties`) read the same here.
 */
export const CHANGE_EVENT_NAMES: Readonly<Record<ChangeKind, string>> = {
  added: 'new',
  updated: 'updated',
  deleted: 'deleted',
};

export interface RowEventContext {
  modelId: string;
  workspaceId: string;
  runId: string;
  /** When the run started: the events' timestamp. */
  runStartedAt: string;
}

/**
 * The messageId of one row change of one run: the same however often the run publishes it (a
 * resumed run republishes at most a page, which translators then deduplicate), and different in
 * another run, so a row that goes A → B → A across runs is sent each time.
 */
export function rowChangeMessageId(context: RowEventContext, change: RowChange): string {
  return messageIdOf(context, change, JSON.stringify(change.row));
}

/** JSON text of a value, as JSON.stringify writes it inside a larger document. */
const json = JSON.stringify;

function messageIdOf(context: RowEventContext, change: RowChange, rowJson: string): string {
  // The bytes of JSON.stringify([modelId, runId, kind, key, row]), the row serialised once by the
  // caller: the ids stay those earlier versions gave (a run resumed across an upgrade keeps them).
  const hash = createHash('sha256')
    .update(`[${json(context.modelId)},${json(context.runId)},${json(change.kind)},${json(change.key)},${rowJson}]`)
    .digest('hex');
  return `retl-${hash.slice(0, 40)}`;
}

/** A row change as the event translators deliver: a track from the model, the row in `properties`. */
export function rowChangeEvent(context: RowEventContext, change: RowChange, now: string): SpecEvent {
  return {
    type: 'track',
    event: CHANGE_EVENT_NAMES[change.kind],
    messageId: rowChangeMessageId(context, change),
    properties: change.row,
    timestamp: context.runStartedAt,
    originalTimestamp: context.runStartedAt,
    sentAt: now,
    receivedAt: now,
    context: {
      library: { name: 'manifold-reverse-etl' },
      reverseEtl: { modelId: context.modelId, runId: context.runId, changeKind: change.kind, key: change.key },
    },
    integrations: {},
  };
}

/**
 * The Kafka message of a row change, with the model as its source. Keyed by model and row key,
 * so one row's changes stay in order across runs whatever its columns hold. The body is
 * JSON.stringify(rowChangeEvent(…)) byte for byte, written out here so that the row, by far its
 * largest part, is serialised once for both the messageId and the body (the publish hot path).
 */
export function rowChangeMessage(context: RowEventContext, change: RowChange, now: string): OutgoingMessage {
  const rowJson = JSON.stringify(change.row);
  const messageId = messageIdOf(context, change, rowJson);
  const at = json(context.runStartedAt);
  const sent = json(now);
  const value =
    `{"type":"track","event":${json(CHANGE_EVENT_NAMES[change.kind])},"messageId":${json(messageId)},` +
    `"properties":${rowJson},"timestamp":${at},"originalTimestamp":${at},"sentAt":${sent},"receivedAt":${sent},` +
    `"context":{"library":{"name":"manifold-reverse-etl"},"reverseEtl":{"modelId":${json(context.modelId)},` +
    `"runId":${json(context.runId)},"changeKind":${json(change.kind)},"key":${json(change.key)}}},"integrations":{}}`;
  return {
    key: `${context.modelId}:${change.key}`,
    value,
    headers: eventMessageHeaders(
      { messageId, type: 'track', receivedAt: now },
      { sourceId: context.modelId, workspaceId: context.workspaceId },
    ),
  };
}
