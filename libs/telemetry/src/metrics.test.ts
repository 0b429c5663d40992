import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePrometheusText, sampleValue } from '@manifold/testing';
import {
  HttpServerMetrics,
  hotPathMetrics,
  measureHttpRequests,
  metricPrefix,
  startTelemetry,
  type Telemetry,
} from './index';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('metrics every service exports', () => {
  let telemetry: Telemetry;
  let admin: Server;
  let adminUrl: string;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'metrics-test' });
    admin = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
    adminUrl = await listen(admin);
  });

  afterAll(async () => {
    await new Promise((resolve) => admin.close(resolve));
    await telemetry.shutdown();
  });

  const scrape = async (): Promise<string> => (await fetch(`${adminUrl}/metrics`)).text();

  it('names them manifold_<service>_', () => {
    expect(metricPrefix('warehouse-loader')).toBe('manifold_warehouse_loader_');
    expect(metricPrefix('control-plane')).toBe('manifold_control_plane_');
    expect(telemetry.metricPrefix).toBe('manifold_metrics_test_');
  });

  it('has process and runtime metrics: CPU, memory, event-loop lag, GC', async () => {
    // hold the loop up once and make garbage, so both show
    const until = Date.now() + 250;
    while (Date.now() < until);
    const p = 'manifold_metrics_test_';
    // GC is reported asynchronously, and a loaded machine may collect late: garbage is made
    // again until a collection shows (at most 10 s), then everything is asserted.
    const collected = (text: string) =>
      parsePrometheusText(text)
        .get(`${p}nodejs_gc_duration_seconds`)
        ?.samples.some((s) => s.name.endsWith('_count') && s.value > 0) ?? false;
    for (let round = 0; round < 50; round++) {
      let garbage: unknown[] = [];
      for (let i = 0; i < 200000; i++) garbage.push({ i, s: String(i) });
      garbage = [];
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (collected(await scrape())) break;
    }

    const families = parsePrometheusText(await scrape());
    expect(families.get(`${p}process_cpu_seconds_total`)?.type).toBe('counter');
    expect(sampleValue(await scrape(), `${p}process_cpu_seconds_total`, { mode: 'user' })).toBeGreaterThan(0);
    expect(families.get(`${p}process_resident_memory_bytes`)?.samples[0]?.value).toBeGreaterThan(1e6);
    expect(families.get(`${p}process_start_time_seconds`)?.samples[0]?.value).toBeCloseTo(
      performance.timeOrigin / 1000,
      0,
    );
    const memory = families.get(`${p}nodejs_memory_bytes`);
    expect(memory?.samples.map((s) => s.labels['kind']).sort()).toEqual([
      'array_buffers',
      'external',
      'heap_total',
      'heap_used',
    ]);
    const lag = families.get(`${p}nodejs_eventloop_lag_seconds`);
    expect(lag?.type).toBe('histogram');
    // the 250 ms hold shows as one sample over 100 ms
    const over50ms = lag?.samples.filter((s) => s.name.endsWith('_bucket'));
    const at = (le: string) => over50ms?.find((s) => s.labels['le'] === le)?.value ?? 0;
    expect(at('+Inf') - at('0.1')).toBeGreaterThanOrEqual(1);
    const gc = families.get(`${p}nodejs_gc_duration_seconds`);
    expect(gc?.type).toBe('histogram');
    const gcCounts = gc?.samples.filter((s) => s.name.endsWith('_count'));
    // every kind is there from the start; the garbage made above was collected
    expect(gcCounts?.map((s) => s.labels['kind']).sort()).toEqual(['incremental', 'major', 'minor', 'weakcb']);
    expect(gcCounts?.some((s) => s.value > 0)).toBe(true);
  });

  it('records HTTP requests per method, route pattern and status in a histogram', async () => {
    const http = new HttpServerMetrics(telemetry.metricPrefix);
    const measure = measureHttpRequests(http, (req) => (req.url?.startsWith('/items/') ? '/items/:id' : 'other'));
    const server = createServer((req, res) =>
      measure(req, res, () => {
        setTimeout(() => res.writeHead(req.url === '/items/2' ? 404 : 200).end(), 30);
      }),
    );
    const url = await listen(server);
    await Promise.all(['/items/1', '/items/2', '/items/3', '/'].map((path) => fetch(`${url}${path}`)));
    await new Promise((resolve) => server.close(resolve));

    const text = await scrape();
    const name = 'manifold_metrics_test_http_server_request_duration_seconds';
    expect(parsePrometheusText(text).get(name)?.type).toBe('histogram');
    const ok = { method: 'GET', route: '/items/:id', status: '200' };
    expect(sampleValue(text, `${name}_count`, ok)).toBe(2);
    expect(sampleValue(text, `${name}_count`, { ...ok, status: '404' })).toBe(1);
    expect(sampleValue(text, `${name}_count`, { method: 'GET', route: 'other', status: '200' })).toBe(1);
    // each took about the 30 ms the handler waited (a timer may fire up to a millisecond early
    // as the clock measuring the request counts it)
    expect(sampleValue(text, `${name}_bucket`, { ...ok, le: '0.025' })).toBe(0);
    expect(sampleValue(text, `${name}_bucket`, { ...ok, le: '+Inf' })).toBe(2);
    expect(sampleValue(text, `${name}_sum`, ok)).toBeGreaterThanOrEqual(0.058);
  });

  it('serves hot-path counters with _total, and refuses one name for two kinds', async () => {
    const counter = hotPathMetrics.counter('manifold_metrics_test_things', 'things');
    counter.add('a', { kind: 'a' });
    counter.add('a', { kind: 'a' }, 2);
    expect(sampleValue(await scrape(), 'manifold_metrics_test_things_total', { kind: 'a' })).toBe(3);
    expect(hotPathMetrics.counter('manifold_metrics_test_things', 'things')).toBe(counter);
    expect(() =>
      hotPathMetrics.histogram('manifold_metrics_test_things', { description: '', boundaries: [1] }),
    ).toThrow(/already registered/);
  });
});
