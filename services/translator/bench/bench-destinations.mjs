// @ts-check
// The destinations the translator bench can deliver to (BENCH_DESTINATION, webhook by default):
// for each, its emulator (from @manifold/emulators, built) with the API's limits that would
// throttle a benchmark turned off, the instance settings pointing at it, how many events an
// accepted request carries, and each event's time for the end-to-end latency.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebhookEmulator, IterableEmulator, KeenEmulator } = require('@manifold/emulators');

/**
 * @typedef {object} BenchDestination
 * @property {string} catalogId
 * @property {string} catalogName
 * @property {() => Promise<{ baseUrl: string, requests: Array<{ body: string, path: string, status: number, receivedAt: number }>, reset(): void, close(): Promise<void> }>} start
 * @property {(baseUrl: string) => Record<string, unknown>} settings
 * @property {(request: { body: string, path: string }) => number} eventCount
 * @property {(request: { body: string, path: string }) => number[]} eventTimes  ms since the epoch, one per event
 */

/** Iterable's and Keen's requests carry the bench's `bench_sent_ms` property wherever the mapping puts properties. */
function sentTimes(value, out = []) {
  if (Array.isArray(value)) for (const item of value) sentTimes(item, out);
  else if (value && typeof value === 'object') {
    if (typeof value.bench_sent_ms === 'number') out.push(value.bench_sent_ms);
    else for (const inner of Object.values(value)) sentTimes(inner, out);
  }
  return out;
}

/** @type {Record<string, BenchDestination>} */
export const BENCH_DESTINATIONS = {
  webhook: {
    catalogId: 'webhook',
    catalogName: 'Webhook',
    start: () => new WebhookEmulator().start(),
    settings: (baseUrl) => ({ url: `${baseUrl}/hook` }),
    // A webhook body is one event unless it is an array; its latency runs from ingestion's receivedAt.
    eventCount: (request) => (request.body.startsWith('[') ? JSON.parse(request.body).length : 1),
    eventTimes: (request) => {
      const parsed = JSON.parse(request.body);
      return (Array.isArray(parsed) ? parsed : [parsed]).map((event) => Date.parse(event.receivedAt));
    },
  },
  iterable: {
    catalogId: 'iterable',
    catalogName: 'Iterable',
    // No per-second limits on the bulk endpoints: the bench measures the translator, not Iterable's quota.
    start: () => new IterableEmulator({ apiKey: 'bench-iterable-key', rateLimits: {} }).start(),
    settings: (baseUrl) => ({ apiKey: 'bench-iterable-key', apiBaseUrl: baseUrl }),
    eventCount: (request) => {
      const body = JSON.parse(request.body);
      return Array.isArray(body.events) ? body.events.length : 1;
    },
    eventTimes: (request) => sentTimes(JSON.parse(request.body)),
  },
  keen: {
    catalogId: 'keen',
    catalogName: 'Keen',
    start: () => new KeenEmulator({ projectId: 'benchproject', writeKey: 'bench-keen-write-key' }).start(),
    settings: (baseUrl) => ({ projectId: 'benchproject', writeKey: 'bench-keen-write-key', apiBaseUrl: baseUrl }),
    // The multiple-events endpoint: `{"<collection>": [event, …]}`; one event otherwise.
    eventCount: (request) => {
      if (!request.path.endsWith('/events')) return 1;
      return Object.values(JSON.parse(request.body)).reduce((sum, list) => sum + list.length, 0);
    },
    eventTimes: (request) => sentTimes(JSON.parse(request.body)),
  },
};

/** The destination BENCH_DESTINATION names. */
export function benchDestination(name = process.env.BENCH_DESTINATION ?? 'webhook') {
  const destination = BENCH_DESTINATIONS[name];
  if (!destination) throw new Error(`BENCH_DESTINATION must be one of ${Object.keys(BENCH_DESTINATIONS).join(', ')}`);
  return destination;
}
