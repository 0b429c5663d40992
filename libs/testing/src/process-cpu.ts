import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat. It is 100 on every
 * architecture Linux exposes to user space (the kernel's own HZ may differ; /proc does not).
 */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by every running process whose command line (arguments
 * joined by spaces) matches; undefined where there is no /proc. Benchmarks read it before and
 * after a phase to see what the other processes on the machine (a database, the broker) spent.
 * A process that exits in between takes its time with it.
 */
export function processCpuSeconds(commandLine: RegExp): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let seconds = 0;
  for (const pid of pids) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (commandLine.test(command)) seconds += pidCpuSeconds(Number(pid));
    } catch {
      // The process ended while being read.
    }
  }
  return seconds;
}

/** CPU seconds (user + system) one process has used so far; throws when there is no such process. */
export function pidCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name in parentheses (which may hold spaces): utime is the 14th field
  // of the line, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
