import { HttpServerMetrics, hotPathMetrics, metricPrefix, type Meter } from '@manifold/telemetry';

/**
 * The ingestion service's instruments, named `manifold_ingestion_...` (the Prometheus exporter
 * adds `_total` to counters). What is counted per request or per event uses the hot-path
 * instruments, which cost a map lookup instead of an attribute hash per call.
 */
export function createIngestionMetrics(meter: Meter) {
  const accepted = hotPathMetrics.counter(
    'manifold_ingestion_events_accepted',
    'Events acknowledged by Kafka, by call type',
  );
  const rejected = hotPathMetrics.counter(
    'manifold_ingestion_events_rejected',
    'Events not accepted, by reason code (unavailable = Kafka did not take them)',
  );
  const clientMetrics = hotPathMetrics.counter(
    'manifold_ingestion_client_metrics',
    'Telemetry counters reported by analytics.js to /v1/m, by metric name',
  );
  const webhooks = hotPathMetrics.counter(
    'manifold_ingestion_webhook_deliveries',
    'Deliveries to webhook sources, by app and outcome (accepted, ignored: an event kind no translation reads, refused)',
  );
  const planViolations = hotPathMetrics.counter(
    'manifold_ingestion_plan_violations',
    'Tracking plan violations, by event (planned names only; "(unplanned)" otherwise), rule and outcome (allowed, dropped, blocked)',
  );
  return {
    planViolations: {
      add: (event: string, rule: string, outcome: string) =>
        planViolations.add(`${event}|${rule}|${outcome}`, { event, rule, outcome }, 1),
    },
    /** manifold_ingestion_http_server_request_duration_seconds{method,route,status} */
    http: new HttpServerMetrics(metricPrefix('ingestion')),
    eventsAccepted: {
      add: (count: number, type: string) => accepted.add(type, { type }, count),
    },
    eventsRejected: {
      add: (count: number, reason: string) => rejected.add(reason, { reason }, count),
    },
    webhookDeliveries: {
      add: (kind: string, outcome: 'accepted' | 'ignored' | 'refused') =>
        webhooks.add(`${kind}|${outcome}`, { kind, outcome }, 1),
    },
    clientMetrics: {
      add: (count: number, metric: string) => clientMetrics.add(metric, { metric }, count),
    },
    publishDuration: meter.createHistogram('manifold_ingestion_kafka_publish_duration_seconds', {
      description: 'Time from handing a batch to Kafka until every in-sync replica acknowledged it',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    publishBatchSize: meter.createHistogram('manifold_ingestion_kafka_publish_batch_messages', {
      description: 'Messages per Kafka send',
      advice: { explicitBucketBoundaries: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] },
    }),
  };
}

export type IngestionMetrics = ReturnType<typeof createIngestionMetrics>;
