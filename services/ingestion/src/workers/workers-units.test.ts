import { parsePrometheusText } from '@manifold/testing';
import { mergeWorkerMetrics } from './merge-metrics';
import { cgroupCpuLimit, defaultWorkerCount, MAX_DEFAULT_WORKERS, workersInMemoryLimit } from './worker-count';
import { timeOrderedSeq } from './worker-link';

describe('the default number of workers', () => {
  it('follows the CPUs, lowered to a cgroup v2 quota (rounded up), at most the cap', () => {
    // No memory limit in these cases.
    expect(cgroupCpuLimit('max 100000\n')).toBeUndefined();
    expect(cgroupCpuLimit(undefined)).toBeUndefined();
    expect(cgroupCpuLimit('150000 100000\n')).toBe(2);
    expect(cgroupCpuLimit('50000 100000')).toBe(1);
    expect(defaultWorkerCount(4, 'max 100000', 'max')).toBe(4);
    expect(defaultWorkerCount(4, '200000 100000', 'max')).toBe(2);
    expect(defaultWorkerCount(64, undefined, undefined)).toBe(MAX_DEFAULT_WORKERS);
    expect(defaultWorkerCount(1, '800000 100000', 'max')).toBe(1);
  });

  it('leaves each worker its 200 MB under a cgroup v2 memory limit', () => {
    expect(workersInMemoryLimit('max\n')).toBeUndefined();
    expect(workersInMemoryLimit(String(512 * 1024 * 1024))).toBe(2);
    expect(workersInMemoryLimit(String(128 * 1024 * 1024))).toBe(1);
    expect(defaultWorkerCount(8, 'max 100000', String(512 * 1024 * 1024))).toBe(2);
    expect(defaultWorkerCount(8, '400000 100000', 'max')).toBe(4);
  });
});

describe('one /metrics view of all workers', () => {
  it('lists each family once, every sample labelled with its worker', () => {
    const worker = (accepted: number, rss: number): string =>
      [
        '# HELP manifold_ingestion_events_accepted_total Events accepted',
        '# TYPE manifold_ingestion_events_accepted_total counter',
        `manifold_ingestion_events_accepted_total{type="track"} ${accepted}`,
        '# HELP manifold_ingestion_process_resident_memory_bytes RSS',
        '# TYPE manifold_ingestion_process_resident_memory_bytes gauge',
        `manifold_ingestion_process_resident_memory_bytes ${rss}`,
        '',
      ].join('\n');
    const merged = mergeWorkerMetrics([
      { worker: '0', text: worker(3, 100) },
      { worker: '1', text: worker(4, 200) },
    ]);
    expect(merged.match(/# TYPE manifold_ingestion_events_accepted_total/g)).toHaveLength(1);
    const families = parsePrometheusText(merged);
    expect(families.get('manifold_ingestion_events_accepted_total')?.samples.map((s) => [s.labels, s.value])).toEqual([
      [{ worker: '0', type: 'track' }, 3],
      [{ worker: '1', type: 'track' }, 4],
    ]);
    expect(families.get('manifold_ingestion_process_resident_memory_bytes')?.samples.map((s) => s.labels)).toEqual([
      { worker: '0' },
      { worker: '1' },
    ]);
  });
});

describe('debugger entry ids across workers', () => {
  it('are unique per worker slot and increase, however many entries share a millisecond', () => {
    const a = timeOrderedSeq(0);
    const b = timeOrderedSeq(1);
    const ids = [...Array.from({ length: 500 }, a), ...Array.from({ length: 500 }, b)];
    expect(new Set(ids).size).toBe(1000);
    const first = ids.slice(0, 500);
    expect(first).toEqual([...first].sort((x, y) => x - y));
    expect(ids.every((id) => Number.isSafeInteger(id))).toBe(true);
    expect(ids.slice(500).every((id) => id % 16 === 1)).toBe(true);
  });
});
