import { spawn } from 'node:child_process';
import { processCpuSeconds } from './process-cpu';

describe('processCpuSeconds', () => {
  it('adds up the CPU of the processes whose command line matches, and only theirs', async () => {
    const marker = `cpu-marker-${process.pid}-${Date.now()}`;
    // Spins for 400 ms, then waits to be killed: its CPU is read while it is still alive.
    const child = spawn(process.execPath, [
      '-e',
      'const end = Date.now() + 400; while (Date.now() < end); console.log("spun"); setInterval(() => {}, 1000);',
      marker,
    ]);
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const spent = processCpuSeconds(new RegExp(marker));
      expect(spent).toBeGreaterThanOrEqual(0.3);
      expect(spent).toBeLessThan(5);
      expect(processCpuSeconds(/no process has this command line, 7f3a9/)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
