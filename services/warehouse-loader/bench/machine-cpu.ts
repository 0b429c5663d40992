// The whole machine's CPU time, from Linux's /proc/stat: how many cores everything on the machine
// (the broker, the warehouse, MongoDB and this process) kept busy over a stretch of time. A bench
// on a shared two-core machine needs it to say whether a faster runner would have had a core to
// run on.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Busy and total CPU time of all cores, in clock ticks; undefined off Linux. */
export interface MachineCpuSample {
  busy: number;
  total: number;
}

export function sampleMachineCpu(): MachineCpuSample | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice": the first line sums every core.
  const fields = (stat.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Cores kept busy between two samples, out of the machine's: the ticks are 10 ms (USER_HZ 100),
 * so over a stretch of 200 ms on two cores the figure is good to about ±0.05 of a core.
 */
export function busyCores(before: MachineCpuSample | undefined, after: MachineCpuSample | undefined): string {
  if (!before || !after || after.total === before.total) return 'not measured (no /proc/stat)';
  const cores = availableParallelism();
  const busy = ((after.busy - before.busy) / (after.total - before.total)) * cores;
  return `${busy.toFixed(2)} of ${cores} cores`;
}
