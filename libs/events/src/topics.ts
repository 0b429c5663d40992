/**
 * Kafka topic layout. Every accepted event goes to one topic; consumers (one group per
 * destination type, one per warehouse loader) each read all of it and pick what concerns them.
 * These are the names of a deployment; KafkaNames puts them under a prefix.
 */
export const TOPICS = {
  /** Accepted, enriched events from every source. Key: userId ?? anonymousId. */
  events: 'manifold.events.v1',
  /**
   * Events a tracking plan blocked (accepted from the sender, kept out of the events topic), with
   * their violations in a header, to be replayed once fixed. Key: as the events topic.
   */
  quarantine: 'manifold.quarantine.v1',
  /**
   * PlanReport JSON (libs/tracking-plans) from ingestion, keyed by source id: tracking plan
   * violations counted per interval with samples, and the property paths its events carry.
   */
  planReports: 'manifold.plan-reports.v1',
  /** Per destination type: events waiting for a later delivery attempt. */
  retry: (destinationType: string) => `manifold.retry.${destinationType}.v1`,
  /** Per destination type: events that will not be delivered, with the reason. */
  deadLetter: (destinationType: string) => `manifold.dlq.${destinationType}.v1`,
  /** DeliveryReport JSON from translators, keyed by destination id. */
  deliveryReports: 'manifold.delivery-reports.v1',
  /** DeliverySample JSON from translators (failed attempts, masked), keyed by destination id. */
  deliverySamples: 'manifold.delivery-samples.v1',
  /** One WarehouseLoadRecord per load from the warehouse loader, keyed by warehouse id. */
  warehouseLoads: 'manifold.warehouse-loads.v1',
  /** One WarehouseStatusRecord (next sync, "sync now" taken up) per loader round, keyed by warehouse id. */
  warehouseStatus: 'manifold.warehouse-status.v1',
  /**
   * Per destination type: events addressed to one destination instance (dead letters redriven,
   * replays), from the control plane to the translators. Key: as the events topic.
   */
  redeliver: (destinationType: string) => `manifold.redeliver.${destinationType}.v1`,
  /** Events replayed into one warehouse, from the control plane to the warehouse loader. */
  warehouseReplay: 'manifold.warehouse-replay.v1',
  /** What happened to each event at each destination instance (TraceRecord JSON), time-retained. */
  eventTraces: 'manifold.event-traces.v1',
  /** Where each event's trace records are (TraceIndexMessage JSON), one message per trace write. */
  eventTraceIndex: 'manifold.event-trace-index.v1',
} as const;

/**
 * `max.message.bytes` of the events topic (and the quarantine and plan-reports topics created
 * beside it): the largest record batch the broker takes there. Above the broker's 1 MB default so
 * that a full publishing batch of one partition is never refused; a single event larger than it
 * can never be published (Reverse ETL sets such a row aside with the reason).
 */
export const EVENTS_TOPIC_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

const PREFIX = /^[A-Za-z0-9._-]*$/;

/**
 * Every topic and consumer-group name of Manifold, under one prefix: the `KAFKA_TOPIC_PREFIX`
 * every service reads (empty by default). Services that share a prefix work together; a
 * different prefix (tests, benchmarks, a second stack) shares the Kafka cluster without reading
 * or joining anything of the others.
 */
export class KafkaNames {
  constructor(readonly prefix = '') {
    if (!PREFIX.test(prefix)) {
      throw new Error(`Kafka topic prefix ${JSON.stringify(prefix)} may hold only letters, digits, '.', '_' and '-'`);
    }
  }

  get events(): string {
    return this.prefix + TOPICS.events;
  }

  retry(destinationType: string): string {
    return this.prefix + TOPICS.retry(destinationType);
  }

  deadLetter(destinationType: string): string {
    return this.prefix + TOPICS.deadLetter(destinationType);
  }

  get quarantine(): string {
    return this.prefix + TOPICS.quarantine;
  }

  get planReports(): string {
    return this.prefix + TOPICS.planReports;
  }

  get deliveryReports(): string {
    return this.prefix + TOPICS.deliveryReports;
  }

  get warehouseLoads(): string {
    return this.prefix + TOPICS.warehouseLoads;
  }

  get deliverySamples(): string {
    return this.prefix + TOPICS.deliverySamples;
  }

  get warehouseStatus(): string {
    return this.prefix + TOPICS.warehouseStatus;
  }

  redeliver(destinationType: string): string {
    return this.prefix + TOPICS.redeliver(destinationType);
  }

  get warehouseReplay(): string {
    return this.prefix + TOPICS.warehouseReplay;
  }

  get eventTraces(): string {
    return this.prefix + TOPICS.eventTraces;
  }

  get eventTraceIndex(): string {
    return this.prefix + TOPICS.eventTraceIndex;
  }

  /** The group of the translators reading the events topic for one destination type. */
  translatorGroup(destinationType: string): string {
    return `${this.prefix}manifold-translator-${destinationType}`;
  }

  /** The group of the translators reading the retry topics of one destination type. */
  translatorRetryGroup(destinationType: string): string {
    return `${this.prefix}manifold-translator-${destinationType}-retry`;
  }

  /** The group of the translators reading the redeliveries of one destination type. */
  translatorRedeliverGroup(destinationType: string): string {
    return `${this.prefix}manifold-translator-${destinationType}-redeliver`;
  }

  /** The group of the control plane's replicas indexing dead letters for browsing and redrive. */
  get controlPlaneDeadLettersGroup(): string {
    return `${this.prefix}manifold-control-plane-dead-letters`;
  }

  /** The group of the control plane's replicas indexing where each event's trace is. */
  get controlPlaneTraceIndexGroup(): string {
    return `${this.prefix}manifold-control-plane-trace-index`;
  }

  /** The group of the control plane's replicas reading tracking-plan reports. */
  get controlPlanePlanReportsGroup(): string {
    return `${this.prefix}manifold-control-plane-plan-reports`;
  }

  /** The group of the loader of one warehouse. */
  warehouseGroup(warehouseId: string): string {
    return `${this.prefix}manifold-warehouse-${warehouseId}`;
  }

  /** The group of the warehouse loaders counting Reverse ETL deliveries into their runs. */
  get reverseEtlDeliveriesGroup(): string {
    return `${this.prefix}manifold-reverse-etl-deliveries`;
  }

  /** The group of the control plane's replicas reading delivery reports and load records. */
  get controlPlaneReportsGroup(): string {
    return `${this.prefix}manifold-control-plane-reports`;
  }
}

/** Kafka headers set on every event message, so consumers can route without parsing the body. */
export const EVENT_HEADERS = {
  sourceId: 'manifold-source-id',
  workspaceId: 'manifold-workspace-id',
  messageId: 'manifold-message-id',
  type: 'manifold-type',
  receivedAt: 'manifold-received-at',
  /** What the source's tracking plan found (JSON PlanVerdict minus `blocked`); absent when it passed. */
  planViolations: 'manifold-plan-violations',
} as const;
