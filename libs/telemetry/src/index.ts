export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry';
export { injectTraceContext, extractTraceContext } from './propagation';
export { metricPrefix } from './metric-names';
export { hotPathMetrics, HotPathCounter, HotPathHistogram, type HistogramOptions } from './hot-path-metrics';
export { HttpServerMetrics, HTTP_DURATION_BUCKETS, expressRoute, measureHttpRequests } from './http-server-metrics';
export { activeTraceIds, type TraceIds } from './active-trace';
export {
  trace,
  metrics,
  context,
  SpanStatusCode,
  SpanKind,
  type Span,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
