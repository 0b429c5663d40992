export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry';
export { injectTraceContext, extractTraceContext } from './propagation';
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
