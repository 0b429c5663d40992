import { isPlainObject } from '@manifold/json';
import type { IngestionMetrics } from '../metrics';

const METRIC_NAME = /^analytics_js\.[a-z0-9_.]{1,80}$/;

/**
 * analytics.js reports its own counters to `/m` as `{series:[{type, metric, value, tags}]}`.
 * They are counted by name; only its own `analytics_js.*` names are kept as labels so a caller
 * cannot grow the metric's label set without bound.
 */
export function recordClientMetrics(body: Record<string, unknown>, metrics: IngestionMetrics): void {
  const series = body['series'];
  if (!Array.isArray(series)) return;
  for (const entry of series) {
    if (!isPlainObject(entry)) continue;
    const metric = typeof entry['metric'] === 'string' && METRIC_NAME.test(entry['metric']) ? entry['metric'] : 'other';
    const value =
      typeof entry['value'] === 'number' && Number.isFinite(entry['value']) && entry['value'] > 0 ? entry['value'] : 1;
    metrics.clientMetrics.add(value, metric);
  }
}
