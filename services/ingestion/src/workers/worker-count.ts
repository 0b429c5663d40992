import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * More workers than this rarely pay: each holds its own Kafka producer and connections, and one
 * pod with many cores is better served by more pods (see the README).
 */
export const MAX_DEFAULT_WORKERS = 8;

/**
 * The CPUs a cgroup v2 quota (`cpu.max`: "<quota> <period>" or "max <period>") gives this
 * process, rounded up; undefined when there is no quota.
 */
export function cgroupCpuLimit(cpuMax: string | undefined): number | undefined {
  const [quota, period] = (cpuMax ?? '').trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period);
  if (!quota || quota === 'max' || !(q > 0) || !(p > 0)) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

function readCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The default INGESTION_WORKERS: the CPUs this process may use (its affinity, and its
 * container's CPU limit when it has one), at most MAX_DEFAULT_WORKERS.
 */
export function defaultWorkerCount(
  cpus: number = availableParallelism(),
  cpuMax: string | undefined = readCpuMax(),
): number {
  const limit = cgroupCpuLimit(cpuMax);
  return Math.max(1, Math.min(cpus, limit ?? cpus, MAX_DEFAULT_WORKERS));
}
