import type { DeliveryReport, DeliverySample } from '@manifold/events';
import { status } from '@grpc/grpc-js';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';
import { SAMPLES_PER_REASON } from './delivery-samples';

/** Nearest-rank percentile of raw values: what the histogram's figure must come close to. */
function truePercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('delivery view (FerretDB, gRPC)', () => {
  // A fixed clock: 10:30:30 UTC, so minutes, hours and days fall in known buckets.
  const now = new Date('2026-06-10T10:30:30.000Z');
  let h: Harness;
  let destinationId: string;
  let workspaceId: string;
  let offset = 0;
  const report = (r: Omit<DeliveryReport, 'destinationId' | 'workspaceId'>): DeliveryReport => ({
    destinationId,
    workspaceId,
    ...r,
  });
  const record = (reports: DeliveryReport[]) =>
    h.controlPlane.domain.observability.recordDelivery(reports, { partition: 0, offset: String(++offset) });
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  beforeAll(async () => {
    h = await startTestControlPlane({ now: () => now });
    await h.client.workspaces.createWorkspace({ slug: 'dv', name: 'DV', ownerEmail: 'o@dv.test' });
    const dest = await h.client.destinations.createDestination({
      workspace: 'dv',
      name: 'Hook',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: [],
    });
    destinationId = dest.id;
    workspaceId = dest.workspaceId;
  });

  afterAll(() => h?.stop());

  it('counts events once per outcome per minute, attempts apart, dropped apart from filtered', async () => {
    // 3 events refused by a closed port, tried 16 times in all; then 2 of them delivered.
    await record([
      report({ outcome: 'retrying', reason: 'ECONNREFUSED', count: 3, at: ago(5 * 60_000) }),
      report({ outcome: 'retried', reason: 'ECONNREFUSED', count: 14, attempts: 14, at: ago(5 * 60_000) }),
      report({ outcome: 'delivered', count: 2, attempts: 2, latenciesMs: [250, 300], at: ago(60_000) }),
      report({ outcome: 'filtered', reason: 'FILTERED_BY_RULES', count: 4, at: ago(60_000) }),
      report({ outcome: 'filtered', reason: 'UNSUPPORTED_EVENT_TYPE', count: 5, at: ago(60_000) }),
      report({ outcome: 'failed', reason: 'http_400', count: 1, attempts: 1, at: ago(60_000) }),
      report({ outcome: 'field_dropped', reason: 'x: not a number', count: 2, at: ago(60_000) }),
    ]);
    const view = await h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Hook', range: 'hour' });
    expect(view.bucket).toBe('minute');
    expect(view.buckets).toHaveLength(60);
    expect(view.buckets.at(-1)!.start).toEqual(new Date('2026-06-10T10:30:00.000Z'));
    expect(view.totals).toMatchObject({
      delivered: 2,
      retrying: 3,
      failed: 1,
      filtered: 4,
      dropped: 5,
      attempts: 17,
      fieldsDropped: 2,
    });
    const fiveAgo = view.buckets.find((b) => b.start!.getTime() === new Date('2026-06-10T10:25:00.000Z').getTime());
    expect(fiveAgo).toMatchObject({ retrying: 3, attempts: 14, delivered: 0 });
    expect(view.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'retrying', reason: 'ECONNREFUSED', events: 3, attempts: 14 }),
        expect.objectContaining({ outcome: 'dropped', reason: 'UNSUPPORTED_EVENT_TYPE', events: 5 }),
        expect.objectContaining({ outcome: 'filtered', reason: 'FILTERED_BY_RULES', events: 4 }),
        expect.objectContaining({ outcome: 'failed', reason: 'http_400', events: 1, attempts: 1 }),
      ]),
    );

    // The same reports in hours and days.
    const day = await h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Hook', range: 'day' });
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets.at(-1)).toMatchObject({ delivered: 2, retrying: 3, attempts: 17 });
    const week = await h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Hook', range: 'week' });
    expect(week.buckets).toHaveLength(7);
    expect(week.buckets.at(-1)).toMatchObject({ start: new Date('2026-06-10T00:00:00.000Z'), delivered: 2 });
    expect(
      (await grpcError(h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Hook', range: 'year' })))
        .code,
    ).toBe(status.INVALID_ARGUMENT);
  });

  it('gives latency percentiles within 5 % of the recorded values, per bucket and overall', async () => {
    const other = await h.client.destinations.createDestination({
      workspace: 'dv',
      name: 'Latency',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: [],
    });
    // 2,000 latencies from 3 ms to 40 s, spread over two hours, in reports of 100.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const all: number[] = [];
    const lastHour: number[] = [];
    for (let i = 0; i < 20; i++) {
      const latencies = Array.from({ length: 100 }, () => Math.round(3 * Math.exp(random() * Math.log(40000 / 3))));
      all.push(...latencies);
      const at = ago(i < 10 ? 20 * 60_000 : 100 * 60_000);
      if (i < 10) lastHour.push(...latencies);
      await h.controlPlane.domain.observability.recordDelivery(
        [
          {
            destinationId: other.id,
            workspaceId,
            outcome: 'delivered',
            count: 100,
            attempts: 100,
            latenciesMs: latencies,
            at,
          },
        ],
        { partition: 1, offset: String(++offset) },
      );
    }
    const view = await h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Latency', range: 'day' });
    const close = (figure: number, truth: number) => expect(Math.abs(figure - truth) / truth).toBeLessThan(0.05);
    const { latency } = view.totals!;
    expect(latency!.count).toBe(2000);
    close(latency!.p50Ms, truePercentile(all, 0.5));
    close(latency!.p95Ms, truePercentile(all, 0.95));
    close(latency!.p99Ms, truePercentile(all, 0.99));
    const tenOClock = view.buckets.at(-1)!.latency!;
    expect(tenOClock.count).toBe(1000);
    close(tenOClock.p95Ms, truePercentile(lastHour, 0.95));
    const stats = await h.client.destinations.getDeliveryStats({ workspace: 'dv', destination: 'Latency' });
    close(stats.latencyP50Ms, truePercentile(all, 0.5));
    close(stats.latencyP99Ms, truePercentile(all, 0.99));
  });

  it('keeps the latest samples per reason and shows the newest of each in the view', async () => {
    const sample = (n: number, reason: string): DeliverySample => ({
      destinationId,
      workspaceId,
      outcome: reason === 'http_400' ? 'failed' : 'retried',
      reason,
      message: `attempt ${n}`,
      at: ago(60_000 - n * 100),
      messageId: `m-${reason}-${n}`,
      eventType: 'track',
      eventName: 'Order Completed',
      attempt: 1,
      request: { method: 'POST', url: 'http://127.0.0.1:1/in', headers: { authorization: '********' }, body: '{}' },
      response: reason === 'http_400' ? { status: 400, headers: {}, body: 'bad' } : { error: 'connect ECONNREFUSED' },
    });
    for (let n = 0; n < SAMPLES_PER_REASON + 5; n++) {
      await h.controlPlane.domain.observability.recordSample(sample(n, 'ECONNREFUSED'));
    }
    await h.controlPlane.domain.observability.recordSample(sample(1, 'http_400'));
    await h.controlPlane.domain.observability.recordSample(sample(1, 'http_400')); // read twice: stored once

    const refused = await h.client.destinations.listDeliveryErrors({
      workspace: 'dv',
      destination: 'Hook',
      reason: 'ECONNREFUSED',
      limit: 100,
    });
    expect(refused.samples).toHaveLength(SAMPLES_PER_REASON);
    expect(refused.samples[0]).toMatchObject({
      messageId: `m-ECONNREFUSED-${SAMPLES_PER_REASON + 4}`,
      response: { status: 0, error: 'connect ECONNREFUSED' },
    });
    const all = await h.client.destinations.listDeliveryErrors({
      workspace: 'dv',
      destination: 'Hook',
      reason: '',
      limit: 0,
    });
    expect(all.samples).toHaveLength(20);
    const view = await h.client.destinations.getDeliveryView({ workspace: 'dv', destination: 'Hook', range: 'hour' });
    expect(view.latestErrors.map((s) => s.reason)).toEqual(['ECONNREFUSED', 'http_400']);
    expect(view.latestErrors[1]).toMatchObject({
      outcome: 'failed',
      eventName: 'Order Completed',
      response: { status: 400, bodyExcerpt: 'bad' },
      request: { method: 'POST', headers: { authorization: '********' } },
    });
  });

  it('deletes counters and samples past their retention', async () => {
    const old = new Date(now.getTime() - 30 * 86_400_000).toISOString();
    await record([report({ outcome: 'delivered', count: 1, at: old })]);
    const deleted = await h.controlPlane.domain.observability.sweep(now);
    expect(deleted).toBe(2); // its minute and its hour
  });
});
