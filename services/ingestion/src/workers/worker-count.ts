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

/** The memory budget of one worker (its resident set stays under it), and what the primary takes. */
export const WORKER_MEMORY_BYTES = 200 * 1024 * 1024;
const PRIMARY_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * How many workers a cgroup v2 memory limit (`memory.max`: bytes or "max") has room for;
 * undefined when there is no limit.
 */
export function workersInMemoryLimit(memoryMax: string | undefined): number | undefined {
  const bytes = Number((memoryMax ?? '').trim());
  if (!(bytes > 0)) return undefined;
  return Math.max(1, Math.floor((bytes - PRIMARY_MEMORY_BYTES) / WORKER_MEMORY_BYTES));
}

function readCgroup(file: string): string | undefined {
  try {
    return readFileSync(`/sys/fs/cgroup/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The default INGESTION_WORKERS: the CPUs this process may use (its affinity, and its
 * container's CPU limit when it has one), no more than its container's memory limit has room for
 * at 200 MB each, at most MAX_DEFAULT_WORKERS.
 */
export function defaultWorkerCount(
  cpus: number = availableParallelism(),
  cpuMax: string | undefined = readCgroup('cpu.max'),
  memoryMax: string | undefined = readCgroup('memory.max'),
): number {
  const limit = cgroupCpuLimit(cpuMax) ?? cpus;
  const memory = workersInMemoryLimit(memoryMax) ?? cpus;
  return Math.max(1, Math.min(cpus, limit, memory, MAX_DEFAULT_WORKERS));
}
