import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractTraceContext, injectTraceContext, startTelemetry, trace, type Telemetry } from './index';

describe('telemetry', () => {
  let telemetry: Telemetry;
  let server: Server;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'telemetry-test' });
    server = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await telemetry.shutdown();
  });

  it('serves counters in the Prometheus text format', async () => {
    telemetry.meter.createCounter('manifold_test_events', { description: 'test events' }).add(3, { kind: 'a' });
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toMatch(/manifold_test_events(_total)?\{[^}]*kind="a"[^}]*\} 3/);
  });

  it('carries the trace context through a header map', () => {
    const span = telemetry.tracer.startSpan('outer');
    const headers: Record<string, string> = {};
    injectTraceContext(headers, trace.setSpan(extractTraceContext({}), span));
    span.end();
    expect(headers['traceparent']).toMatch(new RegExp(`^00-${span.spanContext().traceId}-[0-9a-f]{16}-0[01]$`));
    const restored = trace.getSpanContext(extractTraceContext(headers));
    expect(restored?.traceId).toBe(span.spanContext().traceId);
  });
});
