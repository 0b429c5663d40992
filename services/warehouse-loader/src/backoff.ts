export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with ±20% jitter, so loaders of many warehouses do not retry in step. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
