// The ingestion sequence on its own, without HTTP: what every entry point gets from the ingestor,
// against the real Kafka.
import { InMemoryConfigView } from '@manifold/config-client';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { metrics } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { LiveDebugger } from '../debugger/live-debugger';
import { IngestionError } from '../http/errors';
import { createIngestionMetrics } from '../metrics';
import { PublishQueue } from '../publish/publish-queue';
import { RateLimiter } from '../rate-limit';
import { DEFAULT_SETTINGS } from '../settings';
import { basicAuth, parseValue, readTopic, SOURCE_ID, testSnapshot, WRITE_KEY } from '../test-support/harness';
import { Ingestor, type IngestRequest, type IngestShape } from './ingestor';
import { TrackingPlans } from './tracking-plans';
import { PlanReporter } from './plan-reports/plan-reporter';

const logger = testLogger('ingestor-test');
const { kafkaBrokers } = testInfrastructure();
let kafka: KafkaClient;
let producer: EventProducer;

beforeAll(async () => {
  await requireKafka(kafkaBrokers);
  kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('ingestor-test'), logger });
  producer = await kafka.producer();
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
});

async function setUp(rateLimit = { requestsPerSecond: 0, burst: 0 }) {
  const topic = uniqueName('ingestor-events');
  await kafka.ensureTopics([{ topic }]);
  const counters = createIngestionMetrics(metrics.getMeter('ingestor-test'));
  const rejectedCounts = new Map<string, number>();
  counters.eventsRejected.add = (count, reason) => {
    rejectedCounts.set(reason, (rejectedCounts.get(reason) ?? 0) + count);
  };
  const liveDebugger = new LiveDebugger(10);
  const ingestor = new Ingestor({
    configView: new InMemoryConfigView(testSnapshot()),
    publisher: new PublishQueue(producer, { topic, ...DEFAULT_SETTINGS.publish }),
    quarantine: new PublishQueue(producer, { topic: `${topic}-quarantine`, ...DEFAULT_SETTINGS.publish }),
    trackingPlans: new TrackingPlans(logger),
    // Never started: nothing is sent from it here.
    planReporter: new PlanReporter(producer, { topic: `${topic}-plan-reports`, intervalMs: 60_000 }, logger),
    rateLimiter: new RateLimiter(rateLimit),
    liveDebugger,
    metrics: counters,
    logger,
    batchLimits: { maxItems: 10, maxItemBytes: 32 * 1024, maxEventBytes: 64 * 1024 },
  });
  return { topic, ingestor, liveDebugger, rejectedCounts };
}

function request(shape: IngestShape, body: unknown, authorization?: string): IngestRequest {
  return {
    shape,
    readBody: () => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    authorization,
    receivedAtMs: Date.now(),
    clientIp: '192.0.2.7',
  };
}

const track = { kind: 'call', type: 'track' } as const;

async function refusal(promise: Promise<unknown>): Promise<IngestionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof IngestionError)) throw new Error(`expected an IngestionError, got ${String(error)}`);
  return error;
}

describe('Ingestor', () => {
  it('publishes a batch’s good calls, returns the refused ones, and keeps no write key anywhere', async () => {
    const { topic, ingestor, liveDebugger, rejectedCounts } = await setUp();
    const ingested = await ingestor.ingest(
      request(
        { kind: 'batch' },
        {
          writeKey: WRITE_KEY,
          batch: [
            { type: 'track', userId: 'u', event: 'Kept', messageId: 'ing-1', writeKey: WRITE_KEY },
            { type: 'track', userId: 'u', messageId: 'ing-2', writeKey: WRITE_KEY },
          ],
        },
      ),
    );
    expect(ingested.accepted).toBe(1);
    expect(ingested.rejected).toEqual([expect.objectContaining({ index: 1, code: 'event_not_defined' })]);
    expect(rejectedCounts).toEqual(new Map([['event_not_defined', 1]]));

    const [message] = await readTopic(kafka, topic, 1);
    expect(parseValue(message!)).toMatchObject({ messageId: 'ing-1', context: { ip: '192.0.2.7' } });
    expect(liveDebugger.recent(SOURCE_ID).map((e) => e.status)).toEqual(['rejected', 'accepted']);
    // The debugger shows the accepted event as it was stored in Kafka.
    const shownAccepted = JSON.parse(JSON.stringify(liveDebugger.recent(SOURCE_ID)[1])) as Record<string, unknown>;
    expect(shownAccepted).toMatchObject({ type: 'track', messageId: 'ing-1', event: parseValue(message!) });
    expect(JSON.stringify([parseValue(message!), liveDebugger.recent(SOURCE_ID)])).not.toContain(WRITE_KEY);
  });

  it('refuses a request as a whole at each step, counting it once and showing it when the source is known', async () => {
    const { ingestor, liveDebugger, rejectedCounts } = await setUp({ requestsPerSecond: 1, burst: 1 });
    const call = { userId: 'u', event: 'E', writeKey: WRITE_KEY };

    expect((await refusal(ingestor.ingest(request({ kind: 'call', type: 'purchase' }, call)))).message).toBe(
      'unknown call type purchase',
    );
    expect((await refusal(ingestor.ingest(request(track, '{"userId":')))).code).toBe('bad_request');
    const unreadable = {
      ...request(track, call),
      readBody: () => Promise.reject(IngestionError.badRequest('aborted')),
    };
    expect((await refusal(ingestor.ingest(unreadable))).message).toBe('aborted');
    expect((await refusal(ingestor.ingest(request(track, { userId: 'u', event: 'E' })))).status).toBe(401);
    expect((await refusal(ingestor.ingest(request(track, call, basicAuth('nope'))))).code).toBe('unknown_source');
    expect(liveDebugger.recent(SOURCE_ID)).toEqual([]);

    await ingestor.ingest(request(track, call));
    const limited = await refusal(
      ingestor.ingest(request({ kind: 'batch' }, { batch: [call, call], writeKey: WRITE_KEY })),
    );
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'retry-after': '1' } });
    expect(rejectedCounts).toEqual(
      new Map([
        ['bad_request', 3],
        ['unknown_source', 2],
        ['rate_limited', 2],
      ]),
    );
    const shown = liveDebugger.recent(SOURCE_ID).at(-1);
    expect(shown).toMatchObject({ status: 'rejected', reason: { code: 'rate_limited' } });
    expect(JSON.stringify(shown)).not.toContain(WRITE_KEY);
  });

  it('counts analytics.js telemetry without ingesting anything', async () => {
    const { ingestor, liveDebugger } = await setUp();
    const ingested = await ingestor.ingest(
      request({ kind: 'client-metrics' }, { series: [{ metric: 'analytics_js.invoke', value: 1 }] }),
    );
    expect(ingested).toEqual({ accepted: 0, blocked: 0, rejected: [] });
    expect(liveDebugger.recent(SOURCE_ID)).toEqual([]);
  });
});
