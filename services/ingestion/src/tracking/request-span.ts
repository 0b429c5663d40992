import type { IncomingHttpHeaders } from 'node:http';
import { context, extractTraceContext, SpanKind, trace, type Span, type Tracer } from '@manifold/telemetry';

type TraceContext = ReturnType<typeof extractTraceContext>;

/** A tracking request's server span, child of the caller's trace context when it sent one. */
export interface RequestSpan {
  span: Span;
  /** The caller's context with this span in it: what goes into the Kafka headers. */
  context: TraceContext;
  /**
   * Runs the request's handling with the span active: every log line written meanwhile carries
   * its trace_id and span_id (the logger's mixin reads the active span), and so does anything
   * that reads the active context.
   */
  run<T>(handle: () => T): T;
}

export function startRequestSpan(
  tracer: Tracer,
  headers: IncomingHttpHeaders,
  method: string,
  route: string,
): RequestSpan {
  const parent = extractTraceContext(headers);
  const span = tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return { span, context: active, run: (handle) => context.with(active, handle) };
}
