import { Writable } from 'node:stream';
import { createLogger } from '@manifold/logger';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import { basicAuth, startTestIngestion, WRITE_KEY, type TestIngestion } from './test-support/harness';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

// A line logged while a request is handled belongs to the request's span: with telemetry on, it
// carries the span's trace_id (the caller's, from traceparent) and its own span_id.
describe('log lines of a request', () => {
  let telemetry: Telemetry;
  let ingestion: TestIngestion;
  const lines: Array<Record<string, unknown>> = [];
  let startLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    telemetry = startTelemetry({ serviceName: 'ingestion-logs-test' });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    // Events wait 200 ms for a send but may wait 1 ms at most: every publish fails, and the
    // ingestor logs it while the request is being handled.
    ingestion = await startTestIngestion(
      { publish: { lingerMs: 200, timeoutMs: 1 } },
      testInfrastructure().kafkaBrokers,
      0,
      createLogger('ingestion-logs-test', 'info', stream),
    );
    startLines = [...lines];
  });

  afterAll(async () => {
    await ingestion?.close();
    await telemetry?.shutdown();
  });

  it('carry the trace_id and span_id of the request span', async () => {
    const res = await fetch(`${ingestion.url}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth(WRITE_KEY),
        traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      },
      body: JSON.stringify({ userId: 'u-1', event: 'Logged', messageId: 'logged-1' }),
    });
    expect(res.status).toBe(503);
    await new Promise((resolve) => setImmediate(resolve));

    const failed = lines.find((line) => line['msg'] === 'events could not be stored in Kafka; retry later');
    expect(failed).toBeDefined();
    expect(failed?.['trace_id']).toBe(CALLER_TRACE);
    expect(failed?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
    expect(failed?.['span_id']).not.toBe(CALLER_SPAN);

    // The pixel's requests too (their own span, without a caller's trace here).
    lines.length = 0;
    const data = Buffer.from(JSON.stringify({ writeKey: WRITE_KEY, userId: 'u-2', event: 'Opened' })).toString(
      'base64',
    );
    const pixel = await fetch(`${ingestion.url}/v1/pixel/track?data=${encodeURIComponent(data)}`);
    expect(pixel.status).toBe(200);
    await pixel.arrayBuffer();
    await new Promise((resolve) => setImmediate(resolve));
    const pixelFailed = lines.find((line) => line['msg'] === 'events could not be stored in Kafka; retry later');
    expect(pixelFailed?.['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(pixelFailed?.['trace_id']).not.toBe(CALLER_TRACE);
    expect(pixelFailed?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('leave out trace ids outside a request', () => {
    const listening = startLines.find((line) => line['msg'] === 'ingestion listening');
    expect(listening).toBeDefined();
    expect(listening).not.toHaveProperty('trace_id');
  });
});
