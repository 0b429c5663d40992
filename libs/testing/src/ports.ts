import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A port found free is only handed to its server later (a child process that compiles its sources
// first, a broker whose JVM starts), and in that window the kernel can give it away: ports it picks
// for outgoing connections and for `listen(0)` come from its ephemeral range, which every test beside
// this one draws from (a CI run lost a console's admin port that way). So the ports handed out here
// lie below that range, where only an explicit bind takes a port; each jest worker draws from a slice
// of its own, in turn, so two tests beside each other, or two calls at once, never get the same one.
const SLICE = 1_000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    if (Number.isInteger(value) && value > 1024) return value;
  } catch {
    // not Linux: the IANA dynamic range
  }
  return 49_152;
}

const low = ephemeralLow();
const first = Math.max(1_024, low - 16 * SLICE);
const slices = Math.max(1, Math.floor((low - first) / SLICE));
const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const sliceStart = first + ((Number.isInteger(worker) ? worker - 1 : 0) % slices) * SLICE;
// A random place in the slice, so that runs one after another (a port in TIME_WAIT) start apart.
let next = Math.floor(Math.random() * SLICE);

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => resolve(true));
  });
  if (bound) await new Promise((resolve) => server.close(resolve));
  return bound;
}

/** A TCP port free right now and outside the kernel's ephemeral range (for a server that must know its port before it starts). */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < SLICE; tried++) {
    const port = sliceStart + (next++ % SLICE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}-${sliceStart + SLICE - 1}`);
}
