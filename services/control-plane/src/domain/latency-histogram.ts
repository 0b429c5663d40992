/**
 * Delivery latencies as a log-scale histogram fine enough for honest percentiles: bucket i holds
 * the values in (B^(i-1), B^i] ms with B = 2^(1/8) (each bucket about 9 % wider than the one
 * before; bucket 0 holds 0–1 ms). A percentile is the geometric middle of the bucket where it
 * falls, so it is within ±4.5 % of the value the raw latencies give (nearest rank). 4 hours, the
 * longest a retried event may take, is bucket 191; the buckets are stored as flat counter fields
 * `h<i>` (FerretDB-safe), only those that hold something.
 */
const STEPS_PER_DOUBLING = 8;

export type LatencyBuckets = Map<number, number>;

export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.ceil(Math.log2(ms) * STEPS_PER_DOUBLING - 1e-9);
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 1;
  return 2 ** ((bucket - 0.5) / STEPS_PER_DOUBLING);
}

/** The `h<i>` field of a bucket, and back. */
export function bucketField(bucket: number): `h${number}` {
  return `h${bucket}`;
}

/** Adds the `h<i>` fields of a stored counter to `into`. */
export function addBucketFields(into: LatencyBuckets, doc: object): void {
  for (const [key, value] of Object.entries(doc)) {
    if (key.charCodeAt(0) !== 104 /* h */ || typeof value !== 'number') continue;
    const bucket = Number(key.slice(1));
    if (Number.isInteger(bucket)) into.set(bucket, (into.get(bucket) ?? 0) + value);
  }
}

export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  count: number;
}

/** p50, p95 and p99 (nearest rank) of what the buckets hold; zeros when they hold nothing. */
export function percentiles(buckets: LatencyBuckets): Percentiles {
  const sorted = [...buckets].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const count = sorted.reduce((sum, [, n]) => sum + n, 0);
  const at = (q: number): number => {
    if (count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (const [bucket, n] of sorted) {
      seen += n;
      if (seen >= rank) return Math.round(bucketValue(bucket) * 10) / 10;
    }
    return 0;
  };
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), count };
}
