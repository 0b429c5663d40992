// What an operator sees of deliveries, end to end: the translator's reports and error samples,
// read by the real control plane (in-process) into its delivery view over gRPC.
import { WebhookEmulator } from '@manifold/emulators';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import { eventually, freePort } from '@manifold/testing';
import type { Harness } from '../../control-plane/src/test-support/harness';
import { trackEvent, waitFor } from './test-support/harness';
import { startTranslatorOnControlPlane, type TranslatorOnControlPlane } from './test-support/with-control-plane';

function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('delivery view: translator → control plane', () => {
  const SECRET = 'sk-live-Zq81vXw4Tt';
  let stack: TranslatorOnControlPlane;
  let cp: Harness;
  let sourceId: string;
  let workspaceId: string;
  const hooks: WebhookEmulator[] = [];

  beforeAll(async () => {
    stack = await startTranslatorOnControlPlane('translator-dv', {
      retryDelaysMs: [200, 500, 1000],
      retryWindowMs: 10 * 60_000,
    });
    cp = stack.cp;
    const ws = await cp.client.workspaces.createWorkspace({ slug: 'ops', name: 'Ops', ownerEmail: 'o@ops.test' });
    workspaceId = ws.id;
    sourceId = (
      await cp.client.sources.createSource({
        workspace: 'ops',
        slug: 'web',
        name: 'Web',
        environment: 'prod',
        type: 'javascript',
        category: 'website',
      })
    ).id;
  }, 60000);

  afterAll(async () => {
    await stack?.close();
    await Promise.all(hooks.map((h) => h.close()));
  });

  async function webhook(name: string, url: string, headers: Record<string, string> = {}): Promise<string> {
    const created = await cp.client.destinations.createDestination({
      workspace: 'ops',
      name,
      catalogId: 'webhook',
      settings: { url, headers },
      sources: ['web'],
      syncIntervalSeconds: 0,
    });
    await waitFor(
      () => stack.configView.destination(created.id)?.enabled === true,
      10000,
      `${name} in the config stream`,
    );
    return created.id;
  }

  async function publish(events: SpecEvent[]): Promise<void> {
    const producer = await stack.kafka.producer();
    await producer.send(
      stack.eventsTopic,
      events.map((e) => encodeEventMessage(e, { sourceId, workspaceId })),
    );
    await producer.disconnect();
  }

  const view = (destination: string, range = 'hour') =>
    cp.client.destinations.getDeliveryView({ workspace: 'ops', destination, range });

  it('shows why a destination that refuses connections gets nothing, within a minute, counting events once', async () => {
    const id = await webhook('Closed port', `http://127.0.0.1:${await freePort()}/in`);
    const events = [1, 2, 3].map((n) => trackEvent(n));
    const started = Date.now();
    await publish(events);
    const seen = await eventually(
      () => view(id),
      (v) => v.latestErrors.some((s) => s.reason === 'ECONNREFUSED') && (v.totals?.retrying ?? 0) >= 3,
      60_000,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    // Three events retrying, however many attempts they took.
    const later = await eventually(
      () => view(id),
      (v) => (v.totals?.attempts ?? 0) > 3,
      30_000,
    );
    expect(later.totals).toMatchObject({ retrying: 3, delivered: 0, failed: 0 });
    expect(later.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: 'retrying', reason: 'ECONNREFUSED', events: 3 })]),
    );
    const sample = seen.latestErrors.find((s) => s.reason === 'ECONNREFUSED')!;
    expect(events.map((e) => e.messageId)).toContain(sample.messageId);
    expect(sample).toMatchObject({ outcome: 'retried', eventType: 'track', eventName: 'Order Completed' });
    expect(sample.response?.error).toContain('ECONNREFUSED');
    expect(sample.request).toMatchObject({ method: 'POST' });
    expect(JSON.parse(sample.request!.body).messageId).toBe(sample.messageId);
  }, 120_000);

  it('shows the body of a 400 with every secret of the instance masked', async () => {
    const hook = await new WebhookEmulator().start();
    hooks.push(hook);
    const id = await webhook('Rejecting', `${hook.baseUrl}/in?token=${SECRET}`, { 'X-Api-Key': SECRET });
    // The API echoes the key it was given in its error, as some do.
    hook.failNext(1, { status: 400, body: { error: `invalid payload for key ${SECRET}`, field: 'properties' } });
    const event = trackEvent(10, { properties: { note: `copied ${SECRET} by mistake` } });
    await publish([event]);
    const v = await eventually(
      () => view(id),
      // The sample and the counts travel on different topics: wait for both.
      (x) => x.latestErrors.some((s) => s.reason === 'http_400') && (x.totals?.failed ?? 0) >= 1,
      60_000,
    );
    expect(v.totals).toMatchObject({ failed: 1, delivered: 0 });
    const sample = v.latestErrors.find((s) => s.reason === 'http_400')!;
    expect(sample).toMatchObject({ outcome: 'failed', messageId: event.messageId, response: { status: 400 } });
    expect(sample.response!.bodyExcerpt).toContain('invalid payload for key ********');
    expect(sample.request!.url).toContain('token=********');
    expect(sample.request!.headers['x-api-key']).toBe('********');
    expect(sample.request!.body).toContain('copied ******** by mistake');
    const listed = await cp.client.destinations.listDeliveryErrors({
      workspace: 'ops',
      destination: id,
      reason: '',
      limit: 10,
    });
    expect(JSON.stringify(v)).not.toContain(SECRET);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(listed.samples[0]?.messageId).toBe(event.messageId);
  }, 120_000);

  it('gives latency percentiles within 10 % of the latencies the emulator measured', async () => {
    const hook = await new WebhookEmulator().start();
    hooks.push(hook);
    const id = await webhook('Slow API', `${hook.baseUrl}/in`);
    // Batches answered after 300, 700 and 1,500 ms: a spread like a slow API's (wide enough that
    // 10 % stays above what a loaded machine's event loop adds between answer and reading it).
    const truth: number[] = [];
    let n = 100;
    for (const delayMs of [300, 700, 1500]) {
      hook.setResponseDelay(delayMs);
      const before = hook.requests.length;
      const events = Array.from({ length: 20 }, () => trackEvent(n++));
      await publish(events);
      await waitFor(
        () => hook.requests.slice(before).filter((r) => r.answeredAt !== undefined).length >= 20,
        30_000,
        `the ${delayMs} ms batch answered`,
      );
      // The emulator's measure: from ingestion (receivedAt) to when it answered.
      for (const request of hook.requests.slice(before)) {
        const body = JSON.parse(request.body) as { receivedAt: string };
        truth.push(request.answeredAt! - Date.parse(body.receivedAt));
      }
    }
    const v = await eventually(
      () => view(id),
      (x) => (x.totals?.latency?.count ?? 0) >= 60,
      30_000,
    );
    const latency = v.totals!.latency!;
    for (const [figure, q] of [
      [latency.p50Ms, 0.5],
      [latency.p95Ms, 0.95],
      [latency.p99Ms, 0.99],
    ] as const) {
      const expected = nearestRank(truth, q);
      expect({ q, figure, expected, within10Percent: Math.abs(figure - expected) / expected < 0.1 }).toEqual({
        q,
        figure,
        expected,
        within10Percent: true,
      });
    }
  }, 120_000);
});
