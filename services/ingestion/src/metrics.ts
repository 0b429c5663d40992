import type { Meter } from '@manifold/telemetry';

type Attributes = Record<string, string | number>;

/**
 * A counter kept in plain numbers on the hot path and handed to OpenTelemetry only when metrics
 * are collected (an observable counter), so counting a request costs a map lookup instead of
 * an attribute hash per call.
 */
export class CheapCounter {
  private readonly values = new Map<string, { attributes: Attributes; value: number }>();

  constructor(meter: Meter, name: string, description: string) {
    meter.createObservableCounter(name, { description }).addCallback((result) => {
      for (const { attributes, value } of this.values.values()) result.observe(value, attributes);
    });
  }

  /** `key` must identify `attributes` (callers build it from the same values). */
  add(key: string, attributes: Attributes, value = 1): void {
    const entry = this.values.get(key);
    if (entry) entry.value += value;
    else this.values.set(key, { attributes, value });
  }
}

/** The ingestion service's instruments (the Prometheus exporter adds `_total` to counters). */
export function createIngestionMetrics(meter: Meter) {
  const requests = new CheapCounter(
    meter,
    'ingestion_http_requests',
    'HTTP requests answered, by route and status code',
  );
  const accepted = new CheapCounter(meter, 'ingestion_events_accepted', 'Events acknowledged by Kafka, by call type');
  const rejected = new CheapCounter(
    meter,
    'ingestion_events_rejected',
    'Events not accepted, by reason code (unavailable = Kafka did not take them)',
  );
  const clientMetrics = new CheapCounter(
    meter,
    'ingestion_client_metrics',
    'Telemetry counters reported by analytics.js to /v1/m, by metric name',
  );
  return {
    requests: {
      add: (route: string, status: number) => requests.add(`${route} ${status}`, { route, status }),
    },
    eventsAccepted: {
      add: (count: number, type: string) => accepted.add(type, { type }, count),
    },
    eventsRejected: {
      add: (count: number, reason: string) => rejected.add(reason, { reason }, count),
    },
    clientMetrics: {
      add: (count: number, metric: string) => clientMetrics.add(metric, { metric }, count),
    },
    publishDuration: meter.createHistogram('ingestion_kafka_publish_duration_seconds', {
      description: 'Time from handing a batch to Kafka until every in-sync replica acknowledged it',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    publishBatchSize: meter.createHistogram('ingestion_kafka_publish_batch_messages', {
      description: 'Messages per Kafka send',
      advice: { explicitBucketBoundaries: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] },
    }),
  };
}

export type IngestionMetrics = ReturnType<typeof createIngestionMetrics>;
