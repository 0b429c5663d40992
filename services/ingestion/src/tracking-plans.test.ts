// Tracking plans at ingestion, against the real Kafka: what each policy does to the events topic,
// the quarantine topic, the Kafka headers and the live debugger.
import type { SourceTrackingPlan } from '@manifold/config-client';
import { EVENT_HEADERS } from '@manifold/events';
import type { ConsumedMessage } from '@manifold/kafka';
import { readTopicUntil, requireKafka, testInfrastructure } from '@manifold/testing';
import { generatePlanRules, type PlanPolicies, type PlanReport } from '@manifold/tracking-plans';
import type { PlanFindings } from './debugger/live-debugger';
import {
  parseValue,
  SOURCE_ID,
  startTestIngestion,
  testSnapshot,
  WRITE_KEY,
  type TestIngestion,
} from './test-support/harness';

const ADMIN_TOKEN = 'console-service-token-plans-0123';
const orderCompleted = {
  type: 'object',
  properties: { orderId: { type: 'string' }, total: { type: 'number' }, coupon: { type: 'string' } },
  required: ['orderId', 'total'],
};

let ingestion: TestIngestion;
let planVersion = 0;

beforeAll(async () => {
  await requireKafka(testInfrastructure().kafkaBrokers);
  ingestion = await startTestIngestion({ adminToken: ADMIN_TOKEN });
});

afterAll(async () => {
  await ingestion?.close();
});

/** Puts a new version of the plan on the source, as the config stream would. */
function usePlan(rules: Omit<SourceTrackingPlan['rules'], 'policies'>, policies: Partial<PlanPolicies>): void {
  const snapshot = testSnapshot();
  const plan: SourceTrackingPlan = {
    id: 'tp-web',
    version: ++planVersion,
    rules: {
      ...rules,
      policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow', ...policies },
    },
  };
  snapshot.sources = snapshot.sources.map((s) => (s.id === SOURCE_ID ? { ...s, trackingPlan: plan } : s));
  ingestion.configView.replace(snapshot);
}

async function sendBatch(batch: Array<Record<string, unknown>>): Promise<void> {
  const res = await fetch(`${ingestion.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // One user: one partition, so the topic keeps the batch's order.
    body: JSON.stringify({ writeKey: WRITE_KEY, batch: batch.map((call) => ({ userId: 'plan-user', ...call })) }),
  });
  expect(res.status).toBe(200);
}

/** The events topic up to (and with) the message whose id is `lastId`. */
async function eventsUntil(topic: string, lastId: string): Promise<ConsumedMessage[]> {
  const messages = await readTopicUntil(ingestion.kafka, topic, (all) => all.some((m) => idOf(m) === lastId));
  return messages.slice(0, messages.findIndex((m) => idOf(m) === lastId) + 1);
}

const idOf = (m: ConsumedMessage) => m.headers[EVENT_HEADERS.messageId];
const findingsOf = (m: ConsumedMessage) => {
  const header = m.headers[EVENT_HEADERS.planViolations];
  return header === undefined ? undefined : (JSON.parse(header) as PlanFindings);
};

/** The plan reports sent so far, once `done` holds of them. */
async function planReports(done: (reports: PlanReport[]) => boolean): Promise<PlanReport[]> {
  const parse = (m: ConsumedMessage) => parseValue(m) as unknown as PlanReport;
  return (await readTopicUntil(ingestion.kafka, ingestion.planReportsTopic, (all) => done(all.map(parse)))).map(parse);
}

async function debuggerEvents(): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${ingestion.url}/debugger/sources/${SOURCE_ID}/events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { events: Array<Record<string, unknown>> }).events;
}

describe('tracking plans at ingestion', () => {
  it('keeps blocked events out of the events topic, quarantines them and shows why', async () => {
    usePlan({ events: { 'Order Completed': orderCompleted } }, { unplannedEvents: 'block' });
    await sendBatch([
      { type: 'track', event: 'Hacked Event', messageId: 'blocked-1', properties: { x: 1 } },
      { type: 'track', event: 'Order Completed', messageId: 'passed-1', properties: { orderId: 'o1', total: 5 } },
    ]);
    const events = await eventsUntil(ingestion.topic, 'passed-1');
    expect(events.map(idOf)).toEqual(['passed-1']);
    expect(findingsOf(events[0] as ConsumedMessage)).toBeUndefined();

    const [quarantined] = await readTopicUntil(ingestion.kafka, ingestion.quarantineTopic, (all) => all.length > 0);
    expect(idOf(quarantined as ConsumedMessage)).toBe('blocked-1');
    expect(parseValue(quarantined as ConsumedMessage)).toMatchObject({ event: 'Hacked Event', properties: { x: 1 } });
    expect(findingsOf(quarantined as ConsumedMessage)).toEqual({
      planId: 'tp-web',
      version: planVersion,
      blocked: true,
      dropped: [],
      violations: [{ rule: 'unplanned_event', path: '', message: 'event "Hacked Event" is not in the plan' }],
    });

    const shown = (await debuggerEvents()).find((e) => e['messageId'] === 'blocked-1');
    expect(shown).toMatchObject({ status: 'blocked', plan: { violations: [{ rule: 'unplanned_event' }] } });
  });

  it('allow: lets a violating event through unchanged, with its violations in a header and the debugger', async () => {
    usePlan({ events: { 'Order Completed': orderCompleted } }, { unplannedEvents: 'block', violations: 'allow' });
    await sendBatch([
      { type: 'track', event: 'Order Completed', messageId: 'allowed-1', properties: { total: 'ten' } },
    ]);
    const [event] = (await eventsUntil(ingestion.topic, 'allowed-1')).slice(-1);
    expect(parseValue(event as ConsumedMessage)['properties']).toEqual({ total: 'ten' });
    expect(findingsOf(event as ConsumedMessage)).toMatchObject({
      blocked: false,
      dropped: [],
      violations: [
        { rule: 'required', path: '/orderId' },
        { rule: 'type', path: '/total', message: '/total must be a number' },
      ],
    });
    const shown = (await debuggerEvents()).find((e) => e['messageId'] === 'allowed-1');
    expect(shown).toMatchObject({ status: 'accepted', plan: { violations: [{ rule: 'required' }, { rule: 'type' }] } });
  });

  it('drop_property: removes only the offending property, with a notice', async () => {
    usePlan({ events: { 'Order Completed': orderCompleted } }, { violations: 'drop_property' });
    await sendBatch([
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'dropped-1',
        properties: { orderId: 'o2', total: 'ten', coupon: 'SUMMER' },
      },
    ]);
    const [event] = (await eventsUntil(ingestion.topic, 'dropped-1')).slice(-1);
    expect(parseValue(event as ConsumedMessage)['properties']).toEqual({ orderId: 'o2', coupon: 'SUMMER' });
    expect(findingsOf(event as ConsumedMessage)).toMatchObject({ blocked: false, dropped: ['/total'] });
  });

  it('counts violations per rule and path with samples, and reports them without blocking what it allows', async () => {
    usePlan({ events: { 'Order Completed': orderCompleted } }, { violations: 'allow', unplannedEvents: 'block' });
    const version = planVersion;
    await sendBatch([
      { type: 'track', event: 'Order Completed', messageId: 'count-1', properties: { orderId: 'o1', total: 'ten' } },
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'count-2',
        properties: { orderId: 'o2', total: 'x'.repeat(100) },
      },
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'count-3',
        properties: { orderId: 'o3', total: 3, password: 'hunter2' },
      },
      { type: 'track', event: 'Cart Viewed', messageId: 'count-4', properties: {} },
    ]);
    // Allowed violations are published; the unplanned event is blocked.
    const published = (await eventsUntil(ingestion.topic, 'count-3')).map(idOf);
    expect(published).toEqual(expect.arrayContaining(['count-1', 'count-2', 'count-3']));
    expect(published).not.toContain('count-4');
    await ingestion.running.app.planReporter.flush();
    const counts = (await planReports((all) => all.some((r) => r.violations.some((v) => v.planVersion === version))))
      .flatMap((r) => r.violations)
      .filter((v) => v.planVersion === version);
    expect(counts).toHaveLength(3);
    const typeErrors = counts.find((v) => v.rule === 'type');
    expect(typeErrors).toMatchObject({
      planId: 'tp-web',
      eventType: 'track',
      eventName: 'Order Completed',
      path: '/total',
      outcome: 'allowed',
      count: 2,
    });
    expect(typeErrors?.samples.map((s) => s.messageId)).toEqual(['count-1', 'count-2']);
    expect(typeErrors?.samples[0]).toMatchObject({ value: '"ten"', path: '/total' });
    expect(typeErrors?.samples[0]?.message).toContain('number');
    // Long values are cut.
    expect(typeErrors?.samples[1]?.value?.length).toBeLessThan(70);
    expect(counts.find((v) => v.rule === 'unplanned_event')).toMatchObject({
      eventName: 'Cart Viewed',
      outcome: 'blocked',
      count: 1,
    });
    const unplanned = counts.find((v) => v.rule === 'unplanned_property');
    expect(unplanned).toMatchObject({ path: '/password', count: 1, outcome: 'allowed' });
    expect(unplanned?.samples[0]?.value).toBe('********');
    expect(JSON.stringify(counts)).not.toContain('hunter2');
  });

  it('a plan generated from the observed property paths is passed by the same events', async () => {
    const sent = [
      { type: 'track', event: 'Signed Up', messageId: 'gen-1', properties: { plan: 'pro', seats: 3 } },
      { type: 'track', event: 'Signed Up', messageId: 'gen-2', properties: { plan: 'free', seats: 1, ref: 'ad' } },
      { type: 'identify', messageId: 'gen-3', traits: { email: 'a@example.com', address: { city: 'Oslo' } } },
      { type: 'page', messageId: 'gen-4', name: 'Home', properties: { path: '/' } },
    ];
    usePlan({ events: {} }, {});
    await sendBatch(sent);
    await ingestion.running.app.planReporter.flush();
    const reports = await planReports((all) =>
      all.some((r) => r.observed.some((o) => o.event === 'Signed Up' && o.paths['/ref'])),
    );
    const observed = reports.flatMap((r) => r.observed);
    expect(observed.find((o) => o.type === 'identify')?.paths).toMatchObject({ '/address/city': ['string'] });
    usePlan(generatePlanRules(observed), {
      unplannedEvents: 'block',
      unplannedProperties: 'block',
      violations: 'block',
    });

    await sendBatch(sent.map((call) => ({ ...call, messageId: `again-${call.messageId}` })));
    const again = (await eventsUntil(ingestion.topic, 'again-gen-4')).filter((m) => idOf(m)?.startsWith('again-'));
    expect(again.map(idOf)).toEqual(['again-gen-1', 'again-gen-2', 'again-gen-3', 'again-gen-4']);
    expect(again.map(findingsOf)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
