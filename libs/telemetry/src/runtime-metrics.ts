import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';
import { hotPathMetrics } from './hot-path-metrics';

/** How often the event loop's delay is sampled. */
const EVENT_LOOP_SAMPLE_MS = 100;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Process and runtime metrics every service exports, under its prefix: CPU, memory, event-loop
 * lag and garbage collection. Returns a function that stops the sampling.
 */
export function registerRuntimeMetrics(meter: Meter, prefix: string): () => void {
  meter
    .createObservableCounter(`${prefix}process_cpu_seconds`, {
      description: 'CPU time used by the process, by mode (user, system)',
      unit: 's',
    })
    .addCallback((result) => {
      const { user, system } = process.cpuUsage();
      result.observe(user / 1e6, { mode: 'user' });
      result.observe(system / 1e6, { mode: 'system' });
    });
  meter
    .createObservableGauge(`${prefix}process_resident_memory_bytes`, {
      description: 'Resident set size of the process',
      unit: 'By',
    })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter
    .createObservableGauge(`${prefix}process_start_time_seconds`, {
      description: 'When the process started, in seconds since the Unix epoch',
      unit: 's',
    })
    .addCallback((result) => result.observe(Math.round(performance.timeOrigin) / 1000));
  meter
    .createObservableGauge(`${prefix}nodejs_memory_bytes`, {
      description: "V8's memory by kind: heap_used, heap_total, external, array_buffers",
      unit: 'By',
    })
    .addCallback((result) => {
      const memory = process.memoryUsage();
      result.observe(memory.heapUsed, { kind: 'heap_used' });
      result.observe(memory.heapTotal, { kind: 'heap_total' });
      result.observe(memory.external, { kind: 'external' });
      result.observe(memory.arrayBuffers, { kind: 'array_buffers' });
    });

  // A timer due every 100 ms records how late it ran: a loop held up for 300 ms shows as one
  // sample of 200-300 ms. (Node's monitorEventLoopDelay drops the delay spanning a reset, so a
  // per-interval maximum read from it misses exactly the long stalls.)
  const lag = meter.createHistogram(`${prefix}nodejs_eventloop_lag_seconds`, {
    description: `How late a timer due every ${EVENT_LOOP_SAMPLE_MS} ms ran`,
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  });
  let due = performance.now() + EVENT_LOOP_SAMPLE_MS;
  const sampler = setInterval(() => {
    const now = performance.now();
    lag.record(Math.max(0, now - due) / 1000);
    due = now + EVENT_LOOP_SAMPLE_MS;
  }, EVENT_LOOP_SAMPLE_MS);
  sampler.unref();

  // A hot-path histogram: its series exist from the start (a process that has not collected yet
  // shows zeros, not nothing), and a pause costs no attribute hashing.
  const gc = hotPathMetrics.histogram(`${prefix}nodejs_gc_duration_seconds`, {
    description: 'Garbage collection pauses, by kind (minor, major, incremental, weakcb)',
    unit: 's',
    boundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  });
  for (const kind of Object.values(GC_KINDS)) gc.declare(kind, { kind });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[gcKind(entry)] ?? 'other';
      gc.record(kind, { kind }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  return () => {
    clearInterval(sampler);
    observer.disconnect();
  };
}

function gcKind(entry: PerformanceEntry): number {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1;
}
