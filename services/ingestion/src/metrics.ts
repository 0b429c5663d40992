import type { Meter } from '@manifold/telemetry';

/** The ingestion service's instruments (the Prometheus exporter adds `_total` to counters). */
export function createIngestionMetrics(meter: Meter) {
  return {
    requests: meter.createCounter('ingestion_http_requests', {
      description: 'HTTP requests answered, by route and status code',
    }),
    eventsAccepted: meter.createCounter('ingestion_events_accepted', {
      description: 'Events acknowledged by Kafka, by call type',
    }),
    eventsRejected: meter.createCounter('ingestion_events_rejected', {
      description: 'Events not accepted, by reason code (unavailable = Kafka did not take them)',
    }),
    publishDuration: meter.createHistogram('ingestion_kafka_publish_duration_seconds', {
      description: 'Time from handing a batch to Kafka until every in-sync replica acknowledged it',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    publishBatchSize: meter.createHistogram('ingestion_kafka_publish_batch_messages', {
      description: 'Messages per Kafka send',
      advice: { explicitBucketBoundaries: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] },
    }),
    clientMetrics: meter.createCounter('ingestion_client_metrics', {
      description: 'Telemetry counters reported by analytics.js to /v1/m, by metric name',
    }),
  };
}

export type IngestionMetrics = ReturnType<typeof createIngestionMetrics>;
