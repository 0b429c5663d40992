// @ts-check
// Where a CPU profile's time went, by part:
//   node profile-summary.mjs <a.cpuprofile> [events] [seconds]
// Profiles come from `BENCH_CPU_PROF=<dir> pnpm bench:ingest` (node --cpu-prof on every child).
// With the number of events the process handled while profiled, it prints µs per event too.
// With `seconds`, only the samples of that many seconds before the profile's last second count
// (one scenario of a run of one scenario: start-up, warm-up and shutdown left out).
import { readFileSync } from 'node:fs';

const [file, eventsArg, secondsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node profile-summary.mjs <file.cpuprofile> [events] [seconds]');
/** @type {{nodes: Array<{id: number, callFrame: {functionName: string, url: string, lineNumber: number}, children?: number[]}>, samples: number[], timeDeltas: number[], startTime: number, endTime: number}} */
const profile = JSON.parse(readFileSync(file, 'utf8'));
const events = Number(eventsArg ?? 0);

/** The part of the program a function belongs to, from its script's URL. */
function part(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.includes('kafkajs-protocol')) return 'kafkajs (our patched protocol modules)';
  if (url.includes('/kafkajs/')) return 'kafkajs';
  if (url.includes('libs/kafka/')) return '@manifold/kafka';
  if (url.includes('@opentelemetry')) return 'OpenTelemetry';
  if (url.includes('libs/telemetry/')) return '@manifold/telemetry';
  if (url.includes('services/ingestion/')) return 'ingestion (ours)';
  if (url.includes('/libs/')) return 'other @manifold libs';
  if (url.startsWith('node:')) {
    if (/node:(_http|http|net|stream|internal\/(http|streams|stream_base|net|js_stream))/.test(url))
      return 'node http/net/streams';
    if (/timers/.test(url)) return 'node timers';
    if (/async_hooks|async_local_storage|async_context/.test(url)) return 'node async context';
    return 'node other';
  }
  if (url.includes('node_modules'))
    return `dependency: ${/node_modules\/(?:\.pnpm\/)?(@?[^/@]+(?:\/[^/@]+)?)/.exec(url)?.[1]}`;
  return 'other';
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const windowUs = Number(secondsArg ?? 0) * 1e6;
// The window ends a second before the profile does, when the process is stopping.
const windowEnd = profile.endTime - 1e6;
const windowStart = windowUs > 0 ? windowEnd - windowUs : -Infinity;
const selfUs = new Map();
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  at += profile.timeDeltas[i] ?? 0;
  if (windowUs > 0 && (at < windowStart || at > windowEnd)) continue;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const parts = new Map();
const functions = new Map();
let busy = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const p = part(node.callFrame);
  parts.set(p, (parts.get(p) ?? 0) + us);
  if (p === 'idle') continue;
  busy += us;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(services|libs)\//, '$1/')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const row = (us) => ({
  ms: Math.round(us / 1000),
  '% of busy': Number(((us / busy) * 100).toFixed(1)),
  ...(events > 0 ? { 'µs/event': Number((us / events).toFixed(2)) } : {}),
});
console.log(`${file}: busy ${Math.round(busy / 1000)} ms`);
console.table(
  Object.fromEntries(
    [...parts]
      .filter(([p]) => p !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([p, us]) => [p, row(us)]),
  ),
);
console.table(
  Object.fromEntries(
    [...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([f, us]) => [f, row(us)]),
  ),
);
