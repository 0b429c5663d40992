import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime, millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';

/**
 * Counters and histograms for code that runs per request or per event. An OpenTelemetry
 * instrument hashes its attributes on every call (3-4 µs per record, measured), which is a tenth
 * of what ingestion spends on a whole event; these keep plain numbers in a map keyed by a string
 * the caller already has, and hand them to the metric readers only when metrics are collected
 * (a MetricProducer that startTelemetry attaches to its Prometheus and OTLP readers).
 */
class HotPathMetrics implements MetricProducer {
  private readonly instruments = new Map<string, HotPathCounter | HotPathHistogram>();
  private readonly startTime: HrTime = millisToHrTime(performance.timeOrigin);

  counter(name: string, description: string): HotPathCounter {
    return this.instrument(name, () => new HotPathCounter(name, description), HotPathCounter);
  }

  histogram(name: string, options: HistogramOptions): HotPathHistogram {
    return this.instrument(name, () => new HotPathHistogram(name, options), HotPathHistogram);
  }

  private instrument<T extends HotPathCounter | HotPathHistogram>(
    name: string,
    create: () => T,
    kind: new (...args: never[]) => T,
  ): T {
    // Several apps in one process (tests) share an instrument of the same name, as OpenTelemetry's do.
    const existing = this.instruments.get(name);
    if (existing instanceof kind) return existing;
    if (existing) throw new Error(`metric ${name} is already registered as another kind`);
    const created = create();
    this.instruments.set(name, created);
    return created;
  }

  collect(): Promise<CollectionResult> {
    const now = hrTime();
    const metrics = [...this.instruments.values()]
      .map((instrument) => instrument.metricData(this.startTime, now))
      .filter((data): data is MetricData => data !== undefined);
    return Promise.resolve({
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: metrics.length > 0 ? [{ scope: { name: 'manifold-hot-path' }, metrics }] : [],
      },
      errors: [],
    });
  }
}

interface Series<T> {
  attributes: Attributes;
  value: T;
}

/** A monotonic counter; the Prometheus exporter adds `_total` to its name. */
export class HotPathCounter {
  private readonly series = new Map<string, Series<number>>();

  constructor(
    private readonly name: string,
    private readonly description: string,
  ) {}

  /** `key` must identify `attributes` (callers build it from the same values). */
  add(key: string, attributes: Attributes, value = 1): void {
    const entry = this.series.get(key);
    if (entry) entry.value += value;
    else this.series.set(key, { attributes, value });
  }

  metricData(startTime: HrTime, endTime: HrTime): MetricData | undefined {
    if (this.series.size === 0) return undefined;
    return {
      descriptor: { name: this.name, description: this.description, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: [...this.series.values()].map(({ attributes, value }) => ({
        startTime,
        endTime,
        attributes,
        value,
      })),
    };
  }
}

export interface HistogramOptions {
  description: string;
  unit?: string;
  /** Upper bounds of the buckets, ascending. */
  boundaries: readonly number[];
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram with fixed bucket bounds. */
export class HotPathHistogram {
  private readonly series = new Map<string, Series<HistogramState>>();
  private readonly boundaries: number[];

  constructor(
    private readonly name: string,
    private readonly options: HistogramOptions,
  ) {
    this.boundaries = [...options.boundaries];
  }

  /** `key` must identify `attributes`; `attributes` is read only the first time a key is seen. */
  record(key: string, attributes: Attributes | (() => Attributes), value: number): void {
    const state = this.state(key, attributes);
    let bucket = 0;
    while (bucket < this.boundaries.length && value > (this.boundaries[bucket] as number)) bucket++;
    state.counts[bucket] = (state.counts[bucket] as number) + 1;
    state.sum += value;
    state.count += 1;
  }

  /** Exports the series with zero observations until its first record (so it is never missing). */
  declare(key: string, attributes: Attributes): void {
    this.state(key, attributes);
  }

  private state(key: string, attributes: Attributes | (() => Attributes)): HistogramState {
    let entry = this.series.get(key);
    if (!entry) {
      entry = {
        attributes: typeof attributes === 'function' ? attributes() : attributes,
        value: { counts: new Array<number>(this.boundaries.length + 1).fill(0), sum: 0, count: 0 },
      };
      this.series.set(key, entry);
    }
    return entry.value;
  }

  metricData(startTime: HrTime, endTime: HrTime): MetricData | undefined {
    if (this.series.size === 0) return undefined;
    return {
      descriptor: {
        name: this.name,
        description: this.options.description,
        unit: this.options.unit ?? '',
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.series.values()].map(({ attributes, value }) => ({
        startTime,
        endTime,
        attributes,
        value: {
          buckets: { boundaries: [...this.boundaries], counts: [...value.counts] },
          sum: value.sum,
          count: value.count,
        },
      })),
    };
  }
}

/** The process's hot-path instruments; every reader startTelemetry makes collects them. */
export const hotPathMetrics = new HotPathMetrics();
