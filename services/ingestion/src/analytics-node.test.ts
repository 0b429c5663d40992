import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Analytics } from '@segment/analytics-node';
import { decodeEventMessage, type SpecEvent } from '@manifold/events';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { requireKafka, sampleValue, testInfrastructure } from '@manifold/testing';
import { readTopic, SOURCE_ID, startTestIngestion, WRITE_KEY, type TestIngestion } from './test-support/harness';

// The real Node SDK, pointed at Manifold by its host alone, with telemetry on so the trace
// context and the metrics can be checked too.
describe('@segment/analytics-node against ingestion', () => {
  let telemetry: Telemetry;
  let ingestion: TestIngestion;
  let metricsServer: Server;

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    telemetry = startTelemetry({ serviceName: 'ingestion-sdk-test' });
    ingestion = await startTestIngestion();
    metricsServer = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await ingestion?.close();
    await new Promise((resolve) => metricsServer?.close(resolve));
    await telemetry?.shutdown();
  });

  it('delivers every call type and a flush of hundreds of events into Kafka, enriched', async () => {
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: ingestion.url,
      flushAt: 100,
      flushInterval: 200,
      maxRetries: 2,
    });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));

    const timestamp = new Date(Date.now() - 60000);
    analytics.identify({ userId: 'u-1', traits: { email: 'ada@example.com' }, messageId: 'sdk-identify', timestamp });
    analytics.track({ userId: 'u-1', event: 'Order Completed', properties: { revenue: 42 }, messageId: 'sdk-track' });
    analytics.page({ anonymousId: 'a-1', name: 'Pricing', category: 'Docs', messageId: 'sdk-page' });
    analytics.screen({ userId: 'u-1', name: 'Home', messageId: 'sdk-screen' });
    analytics.group({ userId: 'u-1', groupId: 'org-1', traits: { name: 'Acme' }, messageId: 'sdk-group' });
    analytics.alias({ userId: 'u-1', previousId: 'a-1', messageId: 'sdk-alias' });
    const bulk = 600;
    for (let i = 0; i < bulk; i++) {
      analytics.track({ userId: `bulk-${i % 37}`, event: 'Bulk Event', properties: { i }, messageId: `sdk-bulk-${i}` });
    }
    await analytics.closeAndFlush({ timeout: 20000 });
    expect(failures).toEqual([]);

    const expected = bulk + 6;
    const messages = await readTopic(ingestion.kafka, ingestion.topic, expected);
    const events = new Map<string, { event: SpecEvent; headers: Record<string, string> }>();
    for (const message of messages) {
      const { event, metadata } = decodeEventMessage(message);
      expect(metadata.sourceId).toBe(SOURCE_ID);
      events.set(event.messageId, { event, headers: message.headers });
    }
    expect(events.size).toBe(expected);
    for (let i = 0; i < bulk; i++) expect(events.has(`sdk-bulk-${i}`)).toBe(true);

    const types = ['identify', 'track', 'page', 'screen', 'group', 'alias'];
    for (const type of types) expect(events.get(`sdk-${type}`)?.event.type).toBe(type);

    const identify = events.get('sdk-identify');
    if (!identify) throw new Error('identify missing');
    expect(identify.event).toMatchObject({
      userId: 'u-1',
      traits: { email: 'ada@example.com' },
      originalTimestamp: timestamp.toISOString(),
      context: { library: { name: '@segment/analytics-node' }, ip: '127.0.0.1' },
      version: 2,
    });
    expect(identify.event).not.toHaveProperty('writeKey');
    expect(typeof identify.event.sentAt).toBe('string');
    // The SDK's clock is ours: skew correction leaves the time within the request's latency.
    expect(Math.abs(Date.parse(identify.event.timestamp) - timestamp.getTime())).toBeLessThan(2000);
    expect(Date.parse(identify.event.receivedAt)).toBeGreaterThanOrEqual(Date.parse(identify.event.sentAt as string));
    expect(events.get('sdk-alias')?.event).toMatchObject({ userId: 'u-1', previousId: 'a-1' });
    expect(events.get('sdk-group')?.event).toMatchObject({ groupId: 'org-1', traits: { name: 'Acme' } });
    expect(events.get('sdk-page')?.event).toMatchObject({ anonymousId: 'a-1', name: 'Pricing', category: 'Docs' });

    // One span per request, carried into the Kafka headers as W3C trace context.
    expect(identify.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const port = (metricsServer.address() as AddressInfo).port;
    const scrape = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const http = 'manifold_ingestion_http_server_request_duration_seconds';
    expect(sampleValue(scrape, `${http}_count`, { method: 'POST', route: '/v1/batch', status: '200' })).toBeGreaterThan(
      0,
    );
    expect(sampleValue(scrape, 'manifold_ingestion_events_accepted_total', { type: 'track' })).toBe(bulk + 1);
    expect(
      sampleValue(scrape, 'manifold_ingestion_kafka_publish_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
  });
});
