// What recording one HTTP request costs: the hot-path histogram ingestion and the console use,
// against an OpenTelemetry histogram with the same attributes (read by a Prometheus exporter, as
// in a service). Run: pnpm exec tsx --tsconfig tsconfig.json libs/telemetry/bench/hot-path-bench.ts
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HTTP_DURATION_BUCKETS, HttpServerMetrics } from '../src/index';

const hotPath = new HttpServerMetrics('manifold_bench_');
const otel = new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] })
  .getMeter('bench')
  .createHistogram('manifold_bench_otel_seconds', { advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS } });
const routes = ['/v1/track', '/v1/batch', '/v1/identify'];

function nsPerCall(fn: (i: number) => void, calls = 1_000_000): number {
  for (let i = 0; i < 100_000; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / calls;
}

const cases: Record<string, (i: number) => void> = {
  'performance.now() at arrival + HttpServerMetrics.record': (i) =>
    hotPath.record('POST', routes[i % 3] as string, 200, performance.now()),
  'OpenTelemetry histogram.record, same three attributes': (i) =>
    otel.record(0.003, { method: 'POST', route: routes[i % 3] as string, status: '200' }),
};
const runs: Record<string, number[]> = {};
for (let round = 0; round < 9; round++) {
  for (const [name, fn] of Object.entries(cases)) (runs[name] ??= []).push(nsPerCall(fn));
}
for (const [name, values] of Object.entries(runs)) {
  values.sort((a, b) => a - b);
  console.log(`${name}: median ${values[4]?.toFixed(0)} ns, best ${values[0]?.toFixed(0)} ns per request`);
}
