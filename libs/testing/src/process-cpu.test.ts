import { spawn } from 'node:child_process';
import { processCpuSeconds } from './process-cpu';

describe('processCpuSeconds', () => {
  it('adds up the CPU of the processes whose command line matches, and only theirs', async () => {
    const marker = `cpu-marker-${process.pid}-${Date.now()}`;
    // Spins until it has used 400 ms of CPU (not of wall-clock time: on a busy machine that can be
    // far less CPU), then waits to be killed: its CPU is read while it is still alive.
    const child = spawn(process.execPath, [
      '-e',
      'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };' +
        'const end = cpu() + 400; while (cpu() < end); console.log("spun"); setInterval(() => {}, 1000);',
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
