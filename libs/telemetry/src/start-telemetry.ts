import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { hotPathMetrics } from './hot-path-metrics';
import { metricPrefix } from './metric-names';
import { registerRuntimeMetrics } from './runtime-metrics';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /**
   * Base URL of an OTLP/HTTP collector (e.g. http://otel-collector:4318). When unset, traces are
   * still created (so trace context propagates through Kafka) but not exported, and metrics are
   * only served for Prometheus scraping.
   */
  otlpEndpoint?: string | undefined;
}

export interface Telemetry {
  tracer: Tracer;
  meter: Meter;
  /** `manifold_<service>_`: the start of every metric name this service exports. */
  metricPrefix: string;
  /** Answers a Prometheus scrape; mounted at /metrics by the service lifecycle. */
  handleMetricsRequest(request: IncomingMessage, response: ServerResponse): void;
  shutdown(): Promise<void>;
}

/** Sets up the process-wide OpenTelemetry tracer and meter providers. Call once, first thing. */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0',
  });
  const endpoint = options.otlpEndpoint?.replace(/\/+$/, '');

  const prometheus = new PrometheusExporter({ preventServerStart: true, metricProducers: [hotPathMetrics] });
  const readers: MetricReader[] = [prometheus];
  if (endpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
        exportIntervalMillis: 15000,
        metricProducers: [hotPathMetrics],
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });

  const spanProcessors: SpanProcessor[] = endpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })]
    : [];
  const tracerProvider = new TracerProvider({ resource, spanProcessors });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  // This provider's own meter, not the global one: a second service started in the same process
  // (tests) cannot replace the global provider, and its metrics must still reach its /metrics.
  const meter = meterProvider.getMeter(options.serviceName);
  const prefix = metricPrefix(options.serviceName);
  const stopRuntimeMetrics = registerRuntimeMetrics(meter, prefix);

  return {
    tracer: trace.getTracer(options.serviceName),
    meter,
    metricPrefix: prefix,
    handleMetricsRequest: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    async shutdown() {
      stopRuntimeMetrics();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
