// The mapping tester through the Public API, against a real control plane, FerretDB and the
// Amplitude emulator (which validates requests as Amplitude does and keeps the API key in the body).
import { AmplitudeEmulator } from '@manifold/emulators';
import { ConsoleClient } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import type { DeliveryStats, DeliveryView, DestinationMapping, TestDestinationResult } from './types';

const API_KEY = 'amp-key-5f0c9e2b7d41';

interface Problem {
  error: { code: string; message: string; fields: Array<{ field: string; message: string }> };
}

describe('console Public API: the mapping tester', () => {
  let stack: ConsoleStack;
  let emulator: AmplitudeEmulator;
  let owner: ConsoleClient;
  let base: string;

  beforeAll(async () => {
    emulator = await new AmplitudeEmulator({ apiKey: API_KEY }).start();
    stack = await startConsoleStack({ catalog: 'default' });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@tester.test', 'correct horse battery', 'tests', 'Tests')).status).toBe(201);
    const created = await owner.call('POST', '/api/v1/workspaces/tests/destinations', {
      name: 'Amplitude',
      catalogId: 'amplitude',
      settings: { apiKey: API_KEY, apiBaseUrl: emulator.baseUrl },
    });
    expect(created.status).toBe(201);
    base = `/api/v1/workspaces/tests/destinations/${String(created.body['id'])}`;
  }, 60000);

  afterAll(async () => {
    await stack?.stop();
    await emulator?.close();
  });

  it('starts from a sample, shows the masked request, sends it (200, then a 400 with its body) and counts the tests apart', async () => {
    const sample = await owner.call<{ event: Record<string, unknown> }>(
      'GET',
      `${base}/test/sample?type=track&event=Signed%20Up`,
    );
    expect(sample.status).toBe(200);
    expect(sample.body.event).toMatchObject({ type: 'track', event: 'Signed Up', userId: 'user-1234' });

    const dry = await owner.call<TestDestinationResult>('POST', `${base}/test`, { event: sample.body.event });
    expect(dry.status).toBe(200);
    const matched = dry.body.mappings.filter((m) => m.matched);
    expect(matched.map((m) => m.action)).toEqual(['logEvent']);
    expect(matched[0]?.payload).toMatchObject({ event_type: 'Signed Up', user_id: 'user-1234' });
    expect(matched[0]?.errors).toEqual([]);
    const [request] = matched[0]?.requests ?? [];
    expect(request?.url).toBe(`${emulator.baseUrl}/2/httpapi`);
    // The API key travels in the body: masked there, and nowhere in the answer.
    expect(request?.body).toContain('"api_key":"');
    expect(JSON.stringify(dry.body)).not.toContain(API_KEY);
    expect(dry.body.sent).toBeUndefined();
    expect(emulator.requests).toHaveLength(0);

    const sent = await owner.call<TestDestinationResult>('POST', `${base}/test`, {
      event: sample.body.event,
      send: true,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.sent).toEqual([expect.objectContaining({ mapping: matched[0]?.index, outcome: 'delivered' })]);
    expect(sent.body.sent?.[0]?.response?.status).toBe(200);
    expect(emulator.requests).toHaveLength(1);

    // Amplitude refuses "undefined" as a user id: the whole request answers 400.
    const refused = await owner.call<TestDestinationResult>('POST', `${base}/test`, {
      event: { ...sample.body.event, messageId: 'refused-1', userId: 'undefined', anonymousId: null },
      send: true,
    });
    expect(refused.status).toBe(200);
    const [answer] = refused.body.sent ?? [];
    expect(answer?.response?.status).toBe(400);
    expect(answer?.response?.body).toContain('Invalid field values on some events');
    expect(answer?.outcome).toBe('dead-letter');
    expect(answer?.reason).toMatch(/^REJECTED: /);
    expect(JSON.stringify(refused.body)).not.toContain(API_KEY);

    // Counted as tests, apart: nothing delivered or failed for real.
    const stats = await owner.call<DeliveryStats>('GET', `${base}/delivery-stats`);
    expect(stats.body).toMatchObject({ delivered: 0, failed: 0, testSends: 2 });
    expect(stats.body.testSendsByOutcome).toEqual(
      expect.arrayContaining([
        { reason: 'delivered', count: 1 },
        { reason: 'dead-letter', count: 1 },
      ]),
    );
    const view = await owner.call<DeliveryView>('GET', `${base}/delivery?range=hour`);
    expect(view.body.totals).toMatchObject({ delivered: 0, failed: 0, attempts: 0, testSends: 2 });
    expect(view.body.reasons).toEqual([]);
  });

  it('tries draft mappings: refused ones name every problem, a trigger that matches nothing filters', async () => {
    const saved = await owner.call<{ mappings: DestinationMapping[] }>('GET', `${base}/mappings`);
    const preset = saved.body.mappings.find((m) => m.action === 'logEvent');
    if (!preset) throw new Error('no logEvent preset');
    const draft = { ...preset, id: '', name: 'Purchases only', trigger: 'event = "Order Completed"' };
    const bad = await owner.call<Problem>('POST', `${base}/test`, {
      event: { type: 'track', event: 'Signed Up', userId: 'user-1234' },
      mappings: [
        { ...draft, trigger: 'event ==' },
        { ...draft, action: 'nope' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f) => f.field)).toEqual(['mappings[0].trigger', 'mappings[1].action']);

    const none = await owner.call<TestDestinationResult>('POST', `${base}/test`, {
      event: { type: 'track', event: 'Signed Up', userId: 'user-1234' },
      mappings: [draft],
      send: true,
    });
    expect(none.status).toBe(200);
    expect(none.body.filtered).toEqual({
      reason: 'NO_MATCHING_MAPPING',
      message: 'no mapping matched this track event',
    });
    expect(none.body.mappings).toEqual([expect.objectContaining({ index: 0, matched: false, requests: [] })]);
    expect(none.body.sent).toEqual([]);

    const badEvent = await owner.call<Problem>('POST', `${base}/test`, { event: { type: 'purchase' } });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.error.fields).toEqual([{ field: 'event.type', message: expect.stringContaining('track') }]);
  });
});
