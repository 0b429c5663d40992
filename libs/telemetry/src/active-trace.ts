import { context, trace } from '@opentelemetry/api';

export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/**
 * The ids of the span active in the current async context (what a log line written now belongs
 * to), or undefined outside any span. Reads the context manager's AsyncLocalStorage: about
 * 0.1 µs, cheap enough to run for every log line.
 */
export function activeTraceIds(): TraceIds | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
