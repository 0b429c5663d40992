import { setFlagsFromString } from 'node:v8';

/**
 * How far past the live heap V8 may let the old generation grow before its next full collection,
 * in per cent: 50 lets it reach one and a half times what the last collection kept.
 *
 * Under load every event waits for a Kafka round trip, long enough for its message to be promoted
 * to the old generation, so the old generation fills steadily with messages that die soon after.
 * Left to itself, V8 sees collections that cost little and lets it grow to up to four times the
 * live heap: under 40 concurrent 100-event batches, about 30 MB live grew to 120 MB before each
 * collection, which is what took the resident set past 200 MB. Twice the live heap (100) still
 * peaked at 205-230 MB with 16 MB semi-spaces; one and a half times costs a few more full
 * collections of that small live heap, with no measurable CPU per event, and keeps the peak near
 * 180 MB (services/ingestion/README.md has the figures).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growth for this process. It is not a flag NODE_OPTIONS may carry, hence set here,
 * by every way the service starts; a `--heap-growing-percent` given on node's command line wins.
 */
export function limitHeapGrowth(): void {
  if (process.execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
