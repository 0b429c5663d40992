// What a tracking plan's outcomes do to a request, against the real Kafka: blocked events are
// counted as blocked (never accepted), a quarantine that refuses them leaves nothing of the request
// on the events topic for the retry to repeat, drop_property removes only the nested field at fault,
// and the live debugger shows a batch in its order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceTrackingPlan } from '@manifold/config-client';
import { EVENT_HEADERS } from '@manifold/events';
import type { ConsumedMessage } from '@manifold/kafka';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { readTopicUntil, requireKafka, sampleValue, testInfrastructure, uniqueName } from '@manifold/testing';
import type { PlanPolicies } from '@manifold/tracking-plans';
import type { PlanFindings } from './debugger/live-debugger';
import {
  parseValue,
  SOURCE_ID,
  startTestIngestion,
  testSnapshot,
  WRITE_KEY,
  type TestIngestion,
} from './test-support/harness';

const ADMIN_TOKEN = 'console-service-token-outcomes-01';
const orderCompleted = {
  type: 'object',
  properties: {
    orderId: { type: 'string' },
    address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } } },
    items: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
  },
};

let telemetry: Telemetry;
let metricsServer: Server;
let ingestion: TestIngestion;
let planVersion = 0;

beforeAll(async () => {
  await requireKafka(testInfrastructure().kafkaBrokers);
  telemetry = startTelemetry({ serviceName: 'ingestion-plan-outcomes-test' });
  metricsServer = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  ingestion = await startTestIngestion({ adminToken: ADMIN_TOKEN });
});

afterAll(async () => {
  await ingestion?.close();
  await new Promise((resolve) => metricsServer?.close(resolve));
  await telemetry?.shutdown();
});

/** Puts a new version of the plan on the source of each ingestion, as the config stream would. */
function usePlan(policies: Partial<PlanPolicies>, ...replicas: TestIngestion[]): void {
  const plan: SourceTrackingPlan = {
    id: 'tp-outcomes',
    version: ++planVersion,
    rules: {
      events: { 'Order Completed': orderCompleted },
      policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow', ...policies },
    },
  };
  for (const replica of replicas) {
    const snapshot = testSnapshot();
    snapshot.sources = snapshot.sources.map((s) => (s.id === SOURCE_ID ? { ...s, trackingPlan: plan } : s));
    replica.configView.replace(snapshot);
  }
}

/** One user's batch (one partition, so the topic keeps its order); the answer's status and body. */
async function sendBatch(
  to: TestIngestion,
  batch: Array<Record<string, unknown>>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${to.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ writeKey: WRITE_KEY, batch: batch.map((call) => ({ userId: 'outcome-user', ...call })) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const idOf = (m: ConsumedMessage) => m.headers[EVENT_HEADERS.messageId];
const findingsOf = (m: ConsumedMessage) =>
  JSON.parse(m.headers[EVENT_HEADERS.planViolations] ?? 'null') as PlanFindings;

/** A topic's messages up to (and with) the one whose id is `lastId`. */
async function until(to: TestIngestion, topic: string, lastId: string): Promise<ConsumedMessage[]> {
  const messages = await readTopicUntil(to.kafka, topic, (all) => all.some((m) => idOf(m) === lastId));
  return messages.slice(0, messages.findIndex((m) => idOf(m) === lastId) + 1);
}

async function debuggerEvents(of: TestIngestion): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${of.url}/debugger/sources/${SOURCE_ID}/events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { events: Array<Record<string, unknown>> }).events;
}

async function scrape(): Promise<string> {
  const { port } = metricsServer.address() as AddressInfo;
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The ingestion counters this test reads: accepted track events, and events not accepted per reason. */
async function counters(): Promise<{ accepted: number; blocked: number; unavailable: number }> {
  const text = await scrape();
  const value = (name: string, labels: Record<string, string>) => sampleValue(text, name, labels) ?? 0;
  return {
    accepted: value('manifold_ingestion_events_accepted_total', { type: 'track' }),
    blocked: value('manifold_ingestion_events_rejected_total', { reason: 'blocked' }),
    unavailable: value('manifold_ingestion_events_rejected_total', { reason: 'unavailable' }),
  };
}

describe('tracking plan outcomes at ingestion', () => {
  it('counts blocked events as blocked, never as accepted, and answers for them as stored', async () => {
    usePlan({ unplannedEvents: 'block' }, ingestion);
    const before = await counters();
    const answer = await sendBatch(ingestion, [
      { type: 'track', event: 'Hacked Event', messageId: 'count-blocked-1' },
      { type: 'track', event: 'Hacked Event', messageId: 'count-blocked-2' },
      { type: 'track', event: 'Order Completed', messageId: 'count-passed', properties: { orderId: 'o1' } },
      { type: 'track', messageId: 'count-bad' },
    ]);
    expect(answer).toEqual({
      status: 200,
      body: expect.objectContaining({
        code: 'multi_user_error',
        message: '1 of 4 calls were rejected; the others were accepted',
      }),
    });
    const after = await counters();
    expect(after.accepted - before.accepted).toBe(1);
    expect(after.blocked - before.blocked).toBe(2);
  });

  it('answers a batch whose valid events were all blocked as stored, not as an empty batch', async () => {
    usePlan({ unplannedEvents: 'block' }, ingestion);
    const answer = await sendBatch(ingestion, [
      { type: 'track', event: 'Hacked Event', messageId: 'only-blocked' },
      { type: 'track', messageId: 'only-bad' },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, code: 'multi_user_error' });
  });

  it('shows a batch in the live debugger in its order, blocked events among the accepted ones', async () => {
    usePlan({ unplannedEvents: 'block' }, ingestion);
    const ids = ['order-1', 'order-2', 'order-3', 'order-4'];
    const answer = await sendBatch(ingestion, [
      { type: 'track', event: 'Order Completed', messageId: 'order-1' },
      { type: 'track', event: 'Hacked Event', messageId: 'order-2' },
      { type: 'track', event: 'Order Completed', messageId: 'order-3' },
      { type: 'track', event: 'Hacked Event', messageId: 'order-4' },
    ]);
    expect(answer.status).toBe(200);
    const shown = (await debuggerEvents(ingestion)).filter((e) => ids.includes(e['messageId'] as string));
    expect(shown.map((e) => [e['messageId'], e['status']])).toEqual([
      ['order-1', 'accepted'],
      ['order-2', 'blocked'],
      ['order-3', 'accepted'],
      ['order-4', 'blocked'],
    ]);
  });

  it('drop_property removes only the nested field at fault, named by its path', async () => {
    usePlan({ violations: 'drop_property' }, ingestion);
    const answer = await sendBatch(ingestion, [
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'nested-drop',
        properties: {
          orderId: 'o1',
          address: { city: 'Oslo', zip: 1234 },
          items: [{ price: 1 }, { price: 'free', sku: 'b' }],
        },
      },
    ]);
    expect(answer.status).toBe(200);
    const [event] = (await until(ingestion, ingestion.topic, 'nested-drop')).slice(-1) as [ConsumedMessage];
    expect(parseValue(event)['properties']).toEqual({
      orderId: 'o1',
      address: { city: 'Oslo' },
      items: [{ price: 1 }, { sku: 'b' }],
    });
    expect(findingsOf(event)).toMatchObject({ blocked: false, dropped: ['/address/zip', '/items/1/price'] });
    expect(findingsOf(event).violations.map((v) => v.path)).toEqual(['/address/zip', '/items/1/price']);
  });

  describe('when the quarantine topic refuses the blocked events', () => {
    let refusing: TestIngestion;

    beforeAll(async () => {
      // A replica whose quarantine topic takes no record (each is larger than 64 bytes): the broker
      // refuses every send to it, and only to it.
      const quarantineTopic = uniqueName('ingestion-quarantine-refusing');
      await ingestion.kafka.ensureTopics([
        { topic: quarantineTopic, partitions: 1, config: { 'max.message.bytes': '64' } },
      ]);
      refusing = await startTestIngestion({ adminToken: ADMIN_TOKEN, topic: ingestion.topic, quarantineTopic });
    });

    afterAll(async () => {
      await refusing?.close();
    });

    it('answers 503 with nothing of the request on the events topic, so the retry stores each event once', async () => {
      usePlan({ unplannedEvents: 'block' }, ingestion, refusing);
      const batch = [
        { type: 'track', event: 'Order Completed', messageId: 'retry-passed', properties: { orderId: 'o9' } },
        { type: 'track', event: 'Hacked Event', messageId: 'retry-blocked' },
      ];
      const before = await counters();
      const refused = await sendBatch(refusing, batch);
      expect(refused).toMatchObject({ status: 503, body: { code: 'unavailable' } });
      const after = await counters();
      expect(after.accepted - before.accepted).toBe(0);
      expect(after.blocked - before.blocked).toBe(0);
      expect(after.unavailable - before.unavailable).toBe(2);
      const failed = (await debuggerEvents(refusing)).filter((e) => String(e['messageId']).startsWith('retry-'));
      expect(failed.map((e) => [e['messageId'], e['status']])).toEqual([
        ['retry-passed', 'failed'],
        ['retry-blocked', 'failed'],
      ]);

      // The client retries; another replica (its quarantine writable) takes the request.
      expect((await sendBatch(ingestion, batch)).status).toBe(200);
      const marker = [{ type: 'track', event: 'Order Completed', messageId: 'retry-marker' }];
      expect((await sendBatch(ingestion, marker)).status).toBe(200);
      const events = (await until(ingestion, ingestion.topic, 'retry-marker')).map(idOf);
      expect(events.filter((id) => id === 'retry-passed')).toHaveLength(1);
      expect(events).not.toContain('retry-blocked');
      const quarantined = await until(ingestion, ingestion.quarantineTopic, 'retry-blocked');
      expect(quarantined.map(idOf).filter((id) => id === 'retry-blocked')).toHaveLength(1);
    });
  });
});
