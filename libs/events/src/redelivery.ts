import type { ConsumedMessage, OutgoingMessage } from '@manifold/kafka';
import { decodeEventMessage, encodeEventMessage, type EventMetadata } from './event-message';
import type { SpecEvent } from './spec';
import { decodeMappingIds, encodeMappingIds } from './mapping-ids-header';

/** Headers of a redelivery, beside the event's own headers. */
export const REDELIVERY_HEADERS = {
  destinationId: 'manifold-redeliver-destination-id',
  kind: 'manifold-redeliver-kind',
  origin: 'manifold-redeliver-origin',
  runId: 'manifold-redeliver-run-id',
  deliveredMappings: 'manifold-redeliver-delivered-mappings',
} as const;

/**
 * - `redrive`: a dead letter sent again; its event is the one the instance would have received
 *   (filters applied already), and its origin the dead-lettered attempt's, so the messageId claim
 *   that attempt holds lets it through.
 * - `replay`: an event of the events topic sent again to one instance, routed like any other;
 *   its origin names the replay, so a messageId delivered within the dedup window is refused.
 */
export type RedeliveryKind = 'redrive' | 'replay';

/** One event addressed to one destination instance (or warehouse), outside the events topic. */
export interface Redelivery {
  kind: RedeliveryKind;
  event: SpecEvent;
  metadata: EventMetadata;
  /** The destination instance (or warehouse) it is for; no other receives it. */
  destinationId: string;
  /** The messageId claim's origin (see RedeliveryKind). */
  origin: string;
  /** The redrive or replay it belongs to: outcomes are counted per run. */
  runId: string;
  /** A redrive's: the mappings that delivered the event before (its dead letter's), not sent again. */
  deliveredMappings?: readonly string[];
}

export function encodeRedelivery(redelivery: Redelivery): OutgoingMessage {
  return encodeEventMessage(redelivery.event, redelivery.metadata, {
    [REDELIVERY_HEADERS.destinationId]: redelivery.destinationId,
    [REDELIVERY_HEADERS.kind]: redelivery.kind,
    [REDELIVERY_HEADERS.origin]: redelivery.origin,
    [REDELIVERY_HEADERS.runId]: redelivery.runId,
    ...(redelivery.deliveredMappings?.length
      ? { [REDELIVERY_HEADERS.deliveredMappings]: encodeMappingIds(redelivery.deliveredMappings) }
      : {}),
  });
}

/** Reads a redelivery back; throws on a message that is not one (the consumer dead-letters it). */
export function decodeRedelivery(message: ConsumedMessage): Redelivery {
  const { event, metadata } = decodeEventMessage(message);
  const h = message.headers;
  const kind = h[REDELIVERY_HEADERS.kind];
  if (kind !== 'redrive' && kind !== 'replay') throw new Error(`redelivery of unknown kind ${JSON.stringify(kind)}`);
  const destinationId = h[REDELIVERY_HEADERS.destinationId];
  const origin = h[REDELIVERY_HEADERS.origin];
  const runId = h[REDELIVERY_HEADERS.runId];
  if (!destinationId || !origin || !runId) throw new Error('redelivery without destination, origin or run header');
  const delivered = h[REDELIVERY_HEADERS.deliveredMappings];
  return {
    kind,
    event,
    metadata,
    destinationId,
    origin,
    runId,
    ...(delivered === undefined
      ? {}
      : { deliveredMappings: decodeMappingIds(delivered, REDELIVERY_HEADERS.deliveredMappings) }),
  };
}

/** The claim origin of a replayed event: the replay's own, so an earlier delivery's claim refuses it. */
export function replayOrigin(runId: string, eventOrigin: string): string {
  return `replay:${runId}:${eventOrigin}`;
}
