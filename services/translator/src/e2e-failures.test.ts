// End to end through ingestion: destinations that fail for a while, the latency of those that
// do not, and events that must not be delivered (disabled instance, integrations object).
import type { ConfigSnapshot, DestinationConfig } from '@manifold/config-client';
import { MixpanelEmulator, WebhookEmulator } from '@manifold/emulators';
import { destination, snapshot, source, waitFor, waitForReports } from './test-support/harness';
import { startPipeline, type Pipeline } from './test-support/e2e';

const sources: ConfigSnapshot['sources'] = [
  source({ id: 'src-retry', writeKeys: ['wk-retry-0123456789abcdef'] }),
  source({ id: 'src-latency', writeKeys: ['wk-latency-0123456789abcdef'] }),
  source({ id: 'src-routing', writeKeys: ['wk-routing-0123456789abcdef'] }),
  source({ id: 'src-silent', writeKeys: ['wk-silent-0123456789abcdef'] }),
];
const writeKey = (sourceId: string) => sources.find((s) => s.id === sourceId)!.writeKeys[0]!;

const hook = (id: string, sourceId: string, emulator: WebhookEmulator, extra: Partial<DestinationConfig> = {}) =>
  destination({
    id,
    catalogId: 'webhook',
    catalogName: 'Webhook',
    sourceIds: [sourceId],
    settings: { url: `${emulator.baseUrl}/${id}` },
    ...extra,
  });
const mixpanel = (id: string, sourceId: string, emulator: MixpanelEmulator) =>
  destination({
    id,
    catalogId: 'mixpanel',
    catalogName: 'Mixpanel',
    sourceIds: [sourceId],
    settings: { projectToken: 'mp-token', apiBaseUrl: emulator.baseUrl },
  });

function track(n: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'track',
    userId: `user-${n % 13}`,
    event: 'Product Viewed',
    messageId: `m-${n}-${Math.random().toString(36).slice(2, 10)}`,
    properties: { product_id: `p-${n}`, price: 5 },
    ...extra,
  };
}

const messageIdsOf = (emulator: WebhookEmulator) =>
  emulator.deliveries.flatMap((d) => (Array.isArray(d.body) ? d.body : [d.body])).map((e) => e.messageId as string);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('end to end: failing destinations and filtered events', () => {
  const hooks: Record<string, WebhookEmulator> = {};
  const mixpanels: Record<string, MixpanelEmulator> = {};
  let pipeline: Pipeline;

  beforeAll(async () => {
    for (const name of ['retry', 'ok', 'down', 'routed', 'disabled', 'fast', 'silent']) {
      hooks[name] = await new WebhookEmulator().start();
    }
    for (const name of ['retry', 'down', 'routed']) {
      mixpanels[name] = await new MixpanelEmulator({ projectToken: 'mp-token' }).start();
    }
    pipeline = await startPipeline({
      snapshot: snapshot(
        [
          hook('hook-retry', 'src-retry', hooks['retry']!),
          mixpanel('mp-retry', 'src-retry', mixpanels['retry']!),
          hook('hook-ok', 'src-latency', hooks['ok']!),
          hook('hook-down', 'src-latency', hooks['down']!),
          mixpanel('mp-down', 'src-latency', mixpanels['down']!),
          hook('hook-routed', 'src-routing', hooks['routed']!),
          hook('hook-disabled', 'src-routing', hooks['disabled']!, { enabled: false }),
          mixpanel('mp-routed', 'src-routing', mixpanels['routed']!),
          hook('hook-fast', 'src-silent', hooks['fast']!),
          hook('hook-silent', 'src-silent', hooks['silent']!),
        ],
        1,
        sources,
      ),
      settings: {
        destinationTypes: ['webhook', 'mixpanel'],
        requestTimeoutMs: 2000,
      },
    });
  }, 60000);

  afterAll(async () => {
    await pipeline?.close();
    await Promise.all([...Object.values(hooks), ...Object.values(mixpanels)].map((e) => e.close()));
  });

  it('a destination answering 500 and then 429 for a while later has every event once per messageId', async () => {
    const webhook = hooks['retry']!;
    const mp = mixpanels['retry']!;
    webhook.failFor(1500, { status: 500 });
    webhook.failNext(10, { status: 429, retryAfterSeconds: 1 });
    mp.failFor(1500, { status: 503 });
    mp.failNext(3, { status: 429, retryAfterSeconds: 1 });

    const events = Array.from({ length: 40 }, (_, n) => track(n));
    for (let i = 0; i < events.length; i += 10) {
      expect(await pipeline.track('/v1/batch', { batch: events.slice(i, i + 10) }, writeKey('src-retry'))).toBe(200);
    }
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: events.slice(0, 5) }, writeKey('src-retry'))).toBe(200);

    await waitFor(() => new Set(messageIdsOf(webhook)).size >= 40, 30000, 'every event at the webhook');
    await waitFor(() => mp.events.length >= 40, 30000, 'every event at Mixpanel');
    await new Promise((r) => setTimeout(r, 1500)); // time for any second copy to show up
    expect(messageIdsOf(webhook).sort()).toEqual(events.map((e) => e.messageId).sort());
    expect(webhook.requests.some((r) => r.status === 500)).toBe(true);
    expect(webhook.requests.filter((r) => r.status === 429)).toHaveLength(10);
    // Mixpanel stores duplicates as separate rows: one row per messageId means one delivery each.
    expect(mp.events).toHaveLength(40);
    expect(new Set(mp.events.map((e) => e.properties['$insert_id'])).size).toBe(40);
    expect(mp.requests.some((r) => r.status === 503)).toBe(true);

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deliveryReports,
      (c) => (c['hook-retry|filtered|DUPLICATE_MESSAGE_ID'] ?? 0) >= 5 && (c['mp-retry|delivered|'] ?? 0) >= 40,
    );
    expect(counts['hook-retry|delivered|']).toBe(40);
    expect(counts['hook-retry|filtered|DUPLICATE_MESSAGE_ID']).toBe(5);
    expect(counts['hook-retry|retried|http_429']).toBe(10);
    expect(counts['hook-retry|retried|http_500']).toBeGreaterThan(0);
    expect(counts['mp-retry|delivered|']).toBe(40);
    expect(counts['mp-retry|filtered|DUPLICATE_MESSAGE_ID']).toBe(5);
  }, 60000);

  it("keeps a healthy destination's delivery latency while others fail", async () => {
    const ok = hooks['ok']!;
    const down = hooks['down']!;
    const mpDown = mixpanels['down']!;

    /** Sends `count` single-event requests at `perSecond`; returns their messageIds. */
    const load = async (count: number, perSecond: number): Promise<string[]> => {
      const started = Date.now();
      const sends: Promise<number>[] = [];
      const ids: string[] = [];
      for (let n = 0; n < count; n++) {
        const wait = started + (n * 1000) / perSecond - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const event = track(n);
        ids.push(event.messageId);
        sends.push(pipeline.track('/v1/track', event, writeKey('src-latency')));
      }
      expect(new Set(await Promise.all(sends))).toEqual(new Set([200]));
      return ids;
    };
    /** Ingestion-to-delivery latency at the healthy webhook of the given events. */
    const latencies = async (ids: string[]): Promise<number[]> => {
      await waitFor(() => ids.every((id) => messageIdsOf(ok).includes(id)), 30000, 'deliveries at the healthy webhook');
      const wanted = new Set(ids);
      return ok.requests.flatMap((r) => {
        const body = JSON.parse(r.body) as { messageId: string; receivedAt: string };
        return wanted.has(body.messageId) ? [r.receivedAt - Date.parse(body.receivedAt)] : [];
      });
    };

    await latencies(await load(20, 50)); // warm-up
    const baseline = await latencies(await load(150, 50));

    // Same load while another webhook instance (same consumer group) and a Mixpanel instance fail.
    down.failFor(60_000, { status: 429, retryAfterSeconds: 1 });
    mpDown.failFor(60_000, { status: 500 });
    const failingIds = await load(150, 50);
    const during = await latencies(failingIds);
    down.clearFailures();
    mpDown.clearFailures();

    const summary = (values: number[]) => ({
      p50: percentile(values, 50),
      p95: percentile(values, 95),
      max: Math.max(...values),
    });
    const before = summary(baseline);
    const after = summary(during);
    console.log(
      `healthy webhook latency (ms), 150 events at 50/s: alone p50 ${before.p50} p95 ${before.p95} max ${before.max}; ` +
        `while another webhook answers 429 (Retry-After 1 s) and Mixpanel 500: p50 ${after.p50} p95 ${after.p95} max ${after.max}`,
    );
    expect(down.requests.filter((r) => r.status === 429).length).toBeGreaterThan(100);
    expect(mpDown.requests.filter((r) => r.status === 500).length).toBeGreaterThan(0);
    // Unchanged within the noise of a shared 2-core machine (measured alone: p50 the same, p95 a
    // few ms more; in CI, with another suite running, p95 up to 26 ms more). A consumer that
    // waited out the 1 s Retry-After, or sent the failing events' retries inline, would add a
    // second; retries that claimed their messageIds again added 17-50 ms to the p50 (their
    // claims queued with the healthy instance's in the database). The allowance is the noise this
    // run measured, never less than 100 ms: on a loaded machine the baseline's own p50 and its
    // spread to the p95 are several times a quiet machine's (CI measured a p50 of 14 with a p95 of
    // 114, then 66 under failures; another run 11 and 47, then 54), and a failure-free phase moves
    // as much from one second to the next (a p95 went from 15 to 167 in one local run). A floor of
    // 40 ms failed a CI run by 3 ms with nothing wrong; 100 stays a tenth of the second that the
    // faults above would add. The p95 gets more: the tail is where another suite's burst lands (a
    // CI run measured a p95 of 98 alone and 449 under failures, with nothing wrong), and 700 ms
    // still stays under the second that a wait for Retry-After would add to every late event.
    const noise = Math.max(100, before.p50, before.p95 - before.p50);
    expect(after.p50).toBeLessThanOrEqual(before.p50 + noise);
    expect(after.p95).toBeLessThanOrEqual(before.p95 + Math.max(700, 2 * noise));

    // And the failing webhook gets every event once it recovers.
    await waitFor(
      () => failingIds.every((id) => messageIdsOf(down).includes(id)),
      30000,
      'the failing webhook to catch up',
    );
    expect(
      messageIdsOf(down)
        .filter((id) => failingIds.includes(id))
        .sort(),
    ).toEqual([...failingIds].sort());
  }, 120000);

  it('does not deliver to a disabled instance or one the integrations object excludes, and counts them filtered', async () => {
    const key = writeKey('src-routing');
    const plain = track(1);
    const noWebhook = track(2, { integrations: { Webhook: false } });
    const onlyMixpanel = track(3, { integrations: { All: false, Mixpanel: true } });
    const nothing = track(4, { integrations: { All: false } });
    expect(await pipeline.track('/v1/batch', { batch: [plain, noWebhook, onlyMixpanel, nothing] }, key)).toBe(200);

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deliveryReports,
      (c) =>
        (c['hook-disabled|filtered|DESTINATION_DISABLED'] ?? 0) >= 4 &&
        (c['hook-routed|filtered|FILTERED_BY_INTEGRATIONS_OBJECT'] ?? 0) >= 3 &&
        (c['mp-routed|delivered|'] ?? 0) >= 3,
    );
    expect(messageIdsOf(hooks['routed']!)).toEqual([plain.messageId]);
    expect(hooks['disabled']!.requests).toHaveLength(0);
    expect(mixpanels['routed']!.events.map((e) => e.properties['$insert_id'])).toHaveLength(3);
    expect(counts).toMatchObject({
      'hook-routed|delivered|': 1,
      'hook-routed|filtered|FILTERED_BY_INTEGRATIONS_OBJECT': 3,
      'hook-disabled|filtered|DESTINATION_DISABLED': 4,
      'mp-routed|delivered|': 3,
      'mp-routed|filtered|FILTERED_BY_INTEGRATIONS_OBJECT': 1,
    });
    expect(
      Object.keys(counts).filter((k) => k.startsWith('hook-disabled|') && !k.includes('DESTINATION_DISABLED')),
    ).toEqual([]);
  }, 60000);

  it('keeps delivering to an instance while another of its type stops answering, and catches that one up', async () => {
    const fast = hooks['fast']!;
    const silent = hooks['silent']!;
    silent.failFor(9000, { timeout: true });
    const started = Date.now();
    const ids: string[] = [];
    const sends: Promise<number>[] = [];
    for (let n = 0; n < 200; n++) {
      const wait = started + n * 40 - Date.now(); // 25 events/s for 8 s
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const event = track(n);
      ids.push(event.messageId);
      sends.push(pipeline.track('/v1/track', event, writeKey('src-silent')));
    }
    expect(new Set(await Promise.all(sends))).toEqual(new Set([200]));
    await waitFor(() => ids.every((id) => messageIdsOf(fast).includes(id)), 30000, 'every event at the fast webhook');
    const latencies = fast.requests.map((r) => {
      const body = JSON.parse(r.body) as { receivedAt: string };
      return r.receivedAt - Date.parse(body.receivedAt);
    });
    const p50 = percentile(latencies, 50);
    const p90 = percentile(latencies, 90);
    console.log(
      `fast webhook latency while another webhook of its type times out (2 s timeout): p50 ${p50} ms, p90 ${p90} ms, max ${Math.max(...latencies)} ms; ` +
        `requests that reached the silent one: ${silent.requests.length} for 200 events`,
    );
    // Only the first batch waits for the 2 s timeouts (the consumer fetches nothing more until its
    // batches are done); then the silent instance is skipped on the events topic (its events go to
    // the retry topics, whose consumer keeps trying it) and the fast one is served as usual.
    expect(p50).toBeLessThan(500);
    expect(p90).toBeLessThan(2500);
    expect(silent.requests.length).toBeLessThan(100);

    // Once it answers again, the silent instance gets every event, once.
    await waitFor(() => ids.every((id) => messageIdsOf(silent).includes(id)), 40000, 'the silent webhook to catch up');
    expect(messageIdsOf(silent).sort()).toEqual([...ids].sort());
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deliveryReports,
      (c) => (c['hook-silent|delivered|'] ?? 0) >= 200,
    );
    expect(counts['hook-fast|delivered|']).toBe(200);
    expect(counts['hook-silent|retried|DESTINATION_NOT_RESPONDING']).toBeGreaterThan(0);
  }, 90000);
});
