import type { Meter } from '@manifold/telemetry';

export type TranslatorMetrics = ReturnType<typeof createTranslatorMetrics>;

/** OpenTelemetry instruments; attributes stay low-cardinality (type, outcome, reason, status class). */
export function createTranslatorMetrics(meter: Meter) {
  const claimStoreErrors = meter.createCounter('manifold_translator_claim_store_errors', {
    description: 'Claim-store operations (messageId claims) that failed and are being tried again',
  });
  // Exported from the start (0), so an alert on its rate has a series before the first failure.
  claimStoreErrors.add(0);
  return {
    events: meter.createCounter('manifold_translator_events', {
      description: 'Events per destination type by outcome (delivered, retried, failed, filtered) and reason',
    }),
    fieldNotices: meter.createCounter('manifold_translator_field_notices', {
      description:
        'Fields of delivered events left out (field_dropped) or converted (field_converted), per destination type; per field and reason in the delivery stats',
    }),
    deliveryLatency: meter.createHistogram('manifold_translator_delivery_latency_seconds', {
      description: 'From ingestion (receivedAt) to the destination accepting the event',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400] },
    }),
    requestDuration: meter.createHistogram('manifold_translator_request_duration_seconds', {
      description: 'Duration of requests to destination APIs',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    batchSize: meter.createHistogram('manifold_translator_batch_messages', {
      description: 'Kafka messages per processed batch',
      advice: { explicitBucketBoundaries: [1, 10, 50, 100, 250, 500, 1000, 2500] },
    }),
    alreadyHandled: meter.createCounter('manifold_translator_reread_skipped', {
      description:
        'Deliveries not attempted again when a batch was read again (after a failed commit, a rebalance or a crash): an earlier read had finished them',
    }),
    claimStoreErrors,
  };
}

/**
 * `manifold_translator_deliveries_paused_seconds`: how long deliveries have been waiting for the
 * claim store (0 while it answers), read from `pausedSince` at each collection.
 */
export function observeDeliveryPause(meter: Meter, pausedSince: () => number | undefined, now = Date.now): void {
  meter
    .createObservableGauge('manifold_translator_deliveries_paused_seconds', {
      description: 'Time since deliveries were paused because messageId claims cannot be made (0: not paused)',
      unit: 's',
    })
    .addCallback((result) => {
      const since = pausedSince();
      result.observe(since === undefined ? 0 : (now() - since) / 1000);
    });
}
