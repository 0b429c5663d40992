// What writing the active span's ids into every log line costs: one line with createLogger's
// mixin against the same pino logger without it, outside and inside an active span (to
// /dev/null, synchronously). Run: pnpm exec tsx --tsconfig tsconfig.json libs/logger/bench/trace-ids-bench.ts
import pino from 'pino';
import { activeTraceIds, startTelemetry } from '@manifold/telemetry';

const telemetry = startTelemetry({ serviceName: 'bench' });
const sink = pino.destination({ dest: '/dev/null', sync: true });
const options = { base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime };
const plain = pino(options, sink);
const withIds = pino({ ...options, mixin: () => activeTraceIds() ?? {} }, sink);

function nsPerCall(fn: () => void, calls = 200_000): number {
  for (let i = 0; i < 20_000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

const runs: Record<string, number[]> = {};
const add = (name: string, ns: number) => (runs[name] ??= []).push(ns);
for (let round = 0; round < 11; round++) {
  add(
    'line without the mixin, no span',
    nsPerCall(() => plain.info({ n: 1 }, 'hello')),
  );
  add(
    'line with the mixin, no span',
    nsPerCall(() => withIds.info({ n: 1 }, 'hello')),
  );
  add(
    'line with the mixin, below the level',
    nsPerCall(() => withIds.debug({ n: 1 }, 'hello')),
  );
  telemetry.tracer.startActiveSpan('bench', (span) => {
    add(
      'line without the mixin, in a span',
      nsPerCall(() => plain.info({ n: 1 }, 'hello')),
    );
    add(
      'line with the mixin, in a span',
      nsPerCall(() => withIds.info({ n: 1 }, 'hello')),
    );
    add(
      'activeTraceIds() alone, in a span',
      nsPerCall(() => activeTraceIds(), 1_000_000),
    );
    span.end();
  });
}
for (const [name, values] of Object.entries(runs)) {
  values.sort((a, b) => a - b);
  console.log(`${name}: median ${values[5]?.toFixed(0)} ns, best ${values[0]?.toFixed(0)} ns`);
}
void telemetry.shutdown();
