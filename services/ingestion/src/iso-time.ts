let lastMs = NaN;
let lastIso = '';

/**
 * A time (ms since the epoch) as ISO-8601, formatted once per millisecond however many requests
 * and events share it: under load, many do.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
