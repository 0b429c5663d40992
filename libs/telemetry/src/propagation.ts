import { context, propagation, type Context } from '@opentelemetry/api';

/** Writes the active trace context (traceparent, tracestate, baggage) into a header map. */
export function injectTraceContext(headers: Record<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers);
}

/** Reads a trace context from headers (HTTP or Kafka message headers) so spans continue it. */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers);
}
