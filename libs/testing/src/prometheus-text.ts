/** One sample line of a Prometheus text exposition. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  /** From `# TYPE`: counter, gauge, histogram, ... */
  type: string;
  samples: MetricSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The metric families of a `/metrics` answer, by family name (a histogram's `_bucket` lines belong to it). */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  let current: MetricFamily | undefined;
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      current = { name: type[1] as string, type: type[2] as string, samples: [] };
      families.set(current.name, current);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    const parsed = { name: sample[1] as string, labels, value: Number(sample[3]) };
    const family = current && parsed.name.startsWith(current.name) ? current : undefined;
    if (!family) throw new Error(`sample ${parsed.name} has no # TYPE line before it`);
    family.samples.push(parsed);
  }
  return families;
}

/** The value of the sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of parsePrometheusText(text).values()) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) {
        return sample.value;
      }
    }
  }
  return undefined;
}

/**
 * The sum over every sample named `name` whose labels include `labels` (0 when there is none):
 * what `sum without (worker)` gives for a process whose workers each export their own series.
 */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const family of parsePrometheusText(text).values()) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) sum += sample.value;
    }
  }
  return sum;
}
