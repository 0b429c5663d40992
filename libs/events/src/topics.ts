/**
 * Kafka topic layout. Every accepted event goes to one topic; consumers (one group per
 * destination type, one per warehouse loader) each read all of it and pick what concerns them.
 */
export const TOPICS = {
  /** Accepted, enriched events from every source. Key: userId ?? anonymousId. */
  events: 'manifold.events.v1',
  /** Per destination type: events waiting for a later delivery attempt. */
  retry: (destinationType: string) => `manifold.retry.${destinationType}.v1`,
  /** Per destination type: events that will not be delivered, with the reason. */
  deadLetter: (destinationType: string) => `manifold.dlq.${destinationType}.v1`,
  /** DeliveryReport JSON from translators, keyed by destination id. */
  deliveryReports: 'manifold.delivery-reports.v1',
  /** DeliverySample JSON from translators (failed attempts, masked), keyed by destination id. */
  deliverySamples: 'manifold.delivery-samples.v1',
} as const;

/** Kafka headers set on every event message, so consumers can route without parsing the body. */
export const EVENT_HEADERS = {
  sourceId: 'manifold-source-id',
  workspaceId: 'manifold-workspace-id',
  messageId: 'manifold-message-id',
  type: 'manifold-type',
  receivedAt: 'manifold-received-at',
} as const;
