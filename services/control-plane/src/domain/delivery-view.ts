import { DROPPED_REASONS } from '@manifold/events';
import type { DeliveryBucket, DeliveryReasonCount, DeliveryView } from '@manifold/proto';
import {
  periodStart,
  TEST_OUTCOME,
  type DeliveryCounterDoc,
  type DeliveryCounters,
  type Period,
} from './delivery-counters';
import type { DeliverySamples } from './delivery-samples';
import { addBucketFields, percentiles, type LatencyBuckets } from './latency-histogram';

export type ViewRange = 'hour' | 'day' | 'week';

/** Each range: the stored period it reads, the bucket it shows, and how many buckets. */
const RANGES: Record<ViewRange, { period: Period; bucket: 'minute' | 'hour' | 'day'; size: number; buckets: number }> =
  {
    hour: { period: 'minute', bucket: 'minute', size: 60_000, buckets: 60 },
    day: { period: 'hour', bucket: 'hour', size: 3_600_000, buckets: 24 },
    week: { period: 'hour', bucket: 'day', size: 86_400_000, buckets: 7 },
  };

export function isViewRange(range: string): range is ViewRange {
  return range in RANGES;
}

interface Tally {
  counts: Omit<DeliveryBucket, 'start' | 'latency'>;
  latency: LatencyBuckets;
}

function emptyTally(): Tally {
  return {
    counts: {
      delivered: 0,
      retrying: 0,
      failed: 0,
      filtered: 0,
      dropped: 0,
      attempts: 0,
      fieldsDropped: 0,
      fieldsConverted: 0,
      testSends: 0,
    },
    latency: new Map(),
  };
}

/** The outcome a stored counter shows as: `filtered` splits into filtered and dropped by reason. */
export function viewOutcome(outcome: string, reason: string): string {
  return outcome === 'filtered' && DROPPED_REASONS.has(reason) ? 'dropped' : outcome;
}

const COLUMNS: Record<string, keyof Tally['counts'] | undefined> = {
  delivered: 'delivered',
  retrying: 'retrying',
  failed: 'failed',
  filtered: 'filtered',
  dropped: 'dropped',
  field_dropped: 'fieldsDropped',
  field_converted: 'fieldsConverted',
  [TEST_OUTCOME]: 'testSends',
};

function add(tally: Tally, doc: DeliveryCounterDoc, outcome: string): void {
  const column = COLUMNS[outcome];
  if (column) tally.counts[column] += doc.count;
  // The tester's requests are their own column: no attempts, no latency, no reasons.
  if (outcome === TEST_OUTCOME) return;
  tally.counts.attempts += doc.attempts ?? 0;
  if (outcome === 'delivered') addBucketFields(tally.latency, doc);
}

function present(tally: Tally, start: Date): DeliveryBucket {
  return { start, ...tally.counts, latency: percentiles(tally.latency) };
}

/**
 * The delivery view of one destination instance over a range ending now: counts per bucket
 * (empty buckets included), totals, counts per reason and the latest error sample of each reason.
 */
export async function buildDeliveryView(
  counters: DeliveryCounters,
  samples: DeliverySamples,
  destinationId: string,
  range: ViewRange,
  now: Date,
): Promise<DeliveryView> {
  const spec = RANGES[range];
  const last = periodStart(now, spec.bucket);
  const from = new Date(last.getTime() - (spec.buckets - 1) * spec.size);
  const docs = await counters.find(spec.period, destinationId, from);
  const buckets = Array.from({ length: spec.buckets }, emptyTally);
  const total = emptyTally();
  const reasons = new Map<string, DeliveryReasonCount>();
  let updatedAt: Date | undefined;
  for (const doc of docs) {
    const index = Math.floor((doc.start.getTime() - from.getTime()) / spec.size);
    const bucket = buckets[index];
    if (!bucket) continue;
    const outcome = viewOutcome(doc.outcome, doc.reason);
    add(bucket, doc, outcome);
    add(total, doc, outcome);
    if (!updatedAt || doc.start > updatedAt) updatedAt = doc.start;
    if (!doc.reason || outcome === TEST_OUTCOME) continue;
    // Retried attempts join the events retrying for the same reason: one row, events and attempts.
    const shown = outcome === 'retried' ? 'retrying' : outcome;
    const key = `${shown}\u0000${doc.reason}`;
    const entry = reasons.get(key) ?? {
      outcome: shown,
      reason: doc.reason,
      events: 0,
      attempts: 0,
      lastSeen: doc.start,
    };
    if (outcome === 'retried') entry.attempts += doc.count;
    else {
      entry.events += doc.count;
      entry.attempts += doc.attempts ?? 0;
    }
    if (!entry.lastSeen || doc.start > entry.lastSeen) entry.lastSeen = doc.start;
    reasons.set(key, entry);
  }
  return {
    destinationId,
    range,
    bucket: spec.bucket,
    from,
    to: now,
    buckets: buckets.map((b, i) => present(b, new Date(from.getTime() + i * spec.size))),
    totals: present(total, from),
    reasons: [...reasons.values()].sort(
      (a, b) =>
        (b.lastSeen?.getTime() ?? 0) - (a.lastSeen?.getTime() ?? 0) || b.events + b.attempts - (a.events + a.attempts),
    ),
    latestErrors: await samples.latestPerReason(destinationId, from),
    updatedAt,
  };
}
