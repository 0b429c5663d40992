import { hash } from 'node:crypto';
import { EVENT_HEADERS, type SpecEvent } from '@manifold/events';
import { exactJsonText } from '@manifold/json';
import type { SendableMessage } from '@manifold/kafka';
import type { ChangeKind, RowChange } from '@manifold/warehouse';
import type { RowText } from './records';

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
  /** How the run's events carry each row (ReverseEtlRun.rowText): absent for runs begun before. */
  rowText?: RowText;
}

/**
 * The row as the run's events carry it (see RowText). Translators parse events as JavaScript
 * does, where an integer beyond 2^53 becomes another one (a BIGINT id 1234567890123456789 would
 * reach the destination as 1234567890123456800): such an integer goes as a string of its digits
 * (exactJsonText), the row written again only when it may hold one.
 */
function rowJsonOf(context: RowEventContext, change: RowChange): string {
  if (context.rowText !== 'warehouse') return JSON.stringify(JSON.parse(change.rowJson));
  return exactJsonText(change.rowJson);
}

/**
 * The messageId of one row change of one run: the same however often the run publishes it (a
 * resumed run republishes at most two pages, which translators then deduplicate), and different
 * in another run, so a row that goes A → B → A across runs is sent each time.
 */
export function rowChangeMessageId(context: RowEventContext, change: RowChange): string {
  return messageIdOf(runIdPrefix(context), KIND_JSON[change.kind], json(change.key), rowJsonOf(context, change));
}

/** JSON text of a value, as JSON.stringify writes it inside a larger document. */
const json = JSON.stringify;

/** The first two items of a messageId's hashed array (model and run), as JSON text. */
const runIdPrefix = (context: RowEventContext): string => `[${json(context.modelId)},${json(context.runId)},`;

/**
 * The hash of the bytes of [modelId, runId, kind, key, row] as JSON text, written from parts
 * already serialised (the ids of runs begun before RowText stay those earlier versions gave).
 */
function messageIdOf(runPrefix: string, kindJson: string, keyJson: string, rowJson: string): string {
  // The one-shot hash: a third of the CPU of a Hash object per row.
  return `retl-${hash('sha256', `${runPrefix}${kindJson},${keyJson},${rowJson}]`, 'hex').slice(0, 40)}`;
}

/** A row change as the event translators deliver: a track from the model, the row in `properties`. */
export function rowChangeEvent(context: RowEventContext, change: RowChange, now: string): SpecEvent {
  return {
    type: 'track',
    event: CHANGE_EVENT_NAMES[change.kind],
    messageId: rowChangeMessageId(context, change),
    properties: JSON.parse(rowJsonOf(context, change)) as SpecEvent['properties'],
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
export function rowChangeMessage(context: RowEventContext, change: RowChange, now: string): SendableMessage {
  return rowChangeEncoder(context, now)(change);
}

/**
 * rowChangeMessage for the row changes of one run published at `now` (a page), with what they
 * share written once. The body is JSON.stringify(rowChangeEvent(…)) byte for byte but for the
 * row, which goes in as the run carries it (RowText: for the runs of this version, the
 * warehouse's own text, neither parsed nor written again), and the headers those of
 * encodeEventMessage (row-event.test.ts), written out so that the row, by far the body's largest
 * part, is written once for both the messageId and the body, and the headers every message of
 * the page shares are turned into bytes once (the producer did it for each message): this is the
 * publish hot path. The body stays a string: as a Buffer of its own it cost as much CPU and held
 * more memory outside the heap until a collection (the bench).
 */
export function rowChangeEncoder(context: RowEventContext, now: string): (change: RowChange) => SendableMessage {
  const runPrefix = runIdPrefix(context);
  const at = json(context.runStartedAt);
  const sent = json(now);
  const afterRow =
    `,"timestamp":${at},"originalTimestamp":${at},"sentAt":${sent},"receivedAt":${sent},` +
    `"context":{"library":{"name":"manifold-reverse-etl"},"reverseEtl":{"modelId":${json(context.modelId)},` +
    `"runId":${json(context.runId)},"changeKind":`;
  // eventMessageHeaders' names and order; only the messageId differs from one message to the next.
  const sourceId = Buffer.from(context.modelId);
  const workspaceId = Buffer.from(context.workspaceId);
  const type = Buffer.from('track');
  const receivedAt = Buffer.from(now);
  const keyPrefix = `${context.modelId}:`;
  return (change) => {
    const rowJson = rowJsonOf(context, change);
    const kindJson = KIND_JSON[change.kind];
    const keyJson = json(change.key);
    const messageId = messageIdOf(runPrefix, kindJson, keyJson, rowJson);
    // A messageId is "retl-" and hex digits: nothing in it to escape.
    const value =
      `{"type":"track","event":${EVENT_NAMES_JSON[change.kind]},"messageId":"${messageId}","properties":${rowJson}` +
      `${afterRow}${kindJson},"key":${keyJson}}},"integrations":{}}`;
    return {
      key: keyPrefix + change.key,
      value,
      headers: {
        [EVENT_HEADERS.sourceId]: sourceId,
        [EVENT_HEADERS.workspaceId]: workspaceId,
        [EVENT_HEADERS.messageId]: messageId,
        [EVENT_HEADERS.type]: type,
        [EVENT_HEADERS.receivedAt]: receivedAt,
      },
    };
  };
}

const EVENT_NAMES_JSON: Readonly<Record<ChangeKind, string>> = {
  added: json(CHANGE_EVENT_NAMES.added),
  updated: json(CHANGE_EVENT_NAMES.updated),
  deleted: json(CHANGE_EVENT_NAMES.deleted),
};

/** Each change kind as JSON text. */
const KIND_JSON: Readonly<Record<ChangeKind, string>> = {
  added: '"added"',
  updated: '"updated"',
  deleted: '"deleted"',
};
