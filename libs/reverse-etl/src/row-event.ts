import { createHash } from 'node:crypto';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
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
  const hash = createHash('sha256')
    .update(JSON.stringify([context.modelId, context.runId, change.kind, change.key, change.row]))
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
 * so one row's changes stay in order across runs whatever its columns hold.
 */
export function rowChangeMessage(context: RowEventContext, change: RowChange, now: string): OutgoingMessage {
  const message = encodeEventMessage(rowChangeEvent(context, change, now), {
    sourceId: context.modelId,
    workspaceId: context.workspaceId,
  });
  return { ...message, key: `${context.modelId}:${change.key}` };
}
