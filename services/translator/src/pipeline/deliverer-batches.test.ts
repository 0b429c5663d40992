// A batch sent as several requests: each request's answer is about its own events. HubSpot's
// contact upserts put a second event for the same email in a request of its own, so a batch of
// four identifies (one email twice) goes out as two requests; HubSpot refusing one of them whole
// must dead-letter that request's events only, and the other request's are delivered. And a batch
// the API refuses whole without saying for which item (HubSpot's events batch) is split in halves
// until the refused occurrences are found: only they are dead-lettered.
import { parseSettings, prepareEvent, type PreparedEvent } from '@manifold/destination-kit';
import { HttpSender } from '@manifold/destination-http';
import { destinationById } from '@manifold/destinations';
import { HubspotEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { KeyedLimiter } from '../http/keyed-limiter';
import { destination as instanceConfig, trackEvent } from '../test-support/harness';
import { Deliverer } from './deliverer';
import { SlowInstances } from './slow-instances';
import type { DeliveryTask } from './task';

const TOKEN = 'pat-na1-00000000-1111-2222-3333-444444444444';
const PORTAL = '4242';
const hubspot = destinationById('hubspot')!;

describe('Deliverer: a batch sent as several requests', () => {
  let hs: HubspotEmulator;
  let deliverer: Deliverer;

  beforeAll(async () => {
    hs = await new HubspotEmulator({ portalId: PORTAL, privateAppTokens: [TOKEN], burstPer10s: 1000 }).start();
    deliverer = new Deliverer({
      destination: hubspot,
      sender: new HttpSender({ timeoutMs: 5000, connectionsPerOrigin: 2 }),
      // One request at a time, in the order the batch built them: the first one is the refused one.
      limiter: new KeyedLimiter(1),
      slow: new SlowInstances({ threshold: 5 }),
    });
  });

  afterAll(async () => {
    await hs?.close();
  });

  function tasks(events: readonly SpecEvent[]): DeliveryTask[] {
    const instance = instanceConfig({
      id: 'hs',
      catalogId: 'hubspot',
      catalogName: 'HubSpot',
      settings: { privateAppToken: TOKEN, portalId: PORTAL, apiBaseUrl: hs.baseUrl },
    });
    const parsed = parseSettings(hubspot, instance.settings);
    if (!parsed.ok) throw new Error(parsed.outcome.message);
    return events.map((event) => {
      const prepared = prepareEvent(hubspot, event, parsed.settings);
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      return {
        event,
        metadata: { sourceId: 'src', workspaceId: 'ws' },
        instance,
        settings: parsed.settings,
        prepared: prepared as PreparedEvent,
        origin: 'events/0/1',
        offset: '1',
        readAt: 'events/0/1',
        attempts: 0,
        firstAttemptAt: Date.now(),
      };
    });
  }

  const identify = (n: number, email: string): SpecEvent => ({
    ...trackEvent(n),
    type: 'identify',
    traits: { email, n },
  });

  it('two requests, one answered 400 and the other 200: only the first request’s events are dead-lettered', async () => {
    hs.reset();
    hs.failNext(1, {
      status: 400,
      body: { status: 'error', message: 'Property values were not valid', category: 'VALIDATION_ERROR' },
    });
    const events = [identify(0, 'a@x.io'), identify(1, 'b@x.io'), identify(2, 'A@x.io'), identify(3, 'c@x.io')];
    const results = await deliverer.deliver(tasks(events));

    // The batch went out as two upserts: events 0, 1 and 3, then event 2 (the same email as event 0).
    const upserts = hs.requests.map((r) => ({ status: r.status, ids: inputIds(r.body) }));
    expect(upserts).toEqual([
      { status: 400, ids: [] },
      { status: 200, ids: ['A@x.io'] },
    ]);
    const byMessage = new Map(results.map((r) => [r.task.event.messageId, r]));
    const outcomeOf = (n: number) => byMessage.get(events[n]!.messageId)?.outcome;
    expect([0, 1, 3].map((n) => outcomeOf(n))).toEqual(
      [0, 1, 3].map(() => expect.objectContaining({ kind: 'dead-letter', reason: 'REJECTED', status: 400 })),
    );
    expect(outcomeOf(2)).toMatchObject({ kind: 'delivered', status: 200 });
    // Each event keeps the exchange that explains its own outcome.
    expect(byMessage.get(events[2]!.messageId)?.exchange?.response?.status).toBe(200);
    expect(byMessage.get(events[0]!.messageId)?.exchange?.response?.status).toBe(400);
    expect([...hs.contacts.keys()]).toEqual(['a@x.io']);
  });

  const track = (n: number, event: string): SpecEvent => ({
    ...trackEvent(n, { event }),
    properties: { n },
    context: { traits: { email: `p${n}@x.io` } },
  });

  it('an events batch refused whole is halved down to single sends: only the refused occurrences are dead-lettered', async () => {
    hs.reset();
    hs.defineEvents([`pe${PORTAL}_plan_upgraded`]);
    try {
      const events = Array.from({ length: 8 }, (_v, n) =>
        track(n, n === 2 || n === 6 ? 'Never Defined' : 'Plan Upgraded'),
      );
      const results = await deliverer.deliver(tasks(events));
      const byMessage = new Map(results.map((r) => [r.task.event.messageId, r]));
      const resultOf = (n: number) => byMessage.get(events[n]!.messageId);

      const refused = `HTTP 400 VALIDATION_ERROR: Event definition not found for pe${PORTAL}_never_defined`;
      for (const n of [2, 6]) {
        expect(resultOf(n)?.outcome).toEqual({
          kind: 'dead-letter',
          reason: 'REJECTED',
          status: 400,
          message: refused,
        });
        // The exchange kept with the dead letter is the occurrence's own single send.
        expect(resultOf(n)?.exchange?.request.url).toBe(`${hs.baseUrl}/events/v3/send`);
        expect(JSON.parse(resultOf(n)?.exchange?.request.body ?? '{}')).toMatchObject({ email: `p${n}@x.io` });
      }
      for (const n of [0, 1, 3, 4, 5, 7]) expect(resultOf(n)?.outcome).toEqual({ kind: 'delivered', status: 204 });
      expect(hs.events.map((e) => e.email).sort()).toEqual([
        'p0@x.io',
        'p1@x.io',
        'p3@x.io',
        'p4@x.io',
        'p5@x.io',
        'p7@x.io',
      ]);

      // 8 → 4 + 4 → 2 + 2 + 2 + 2 → the refused pairs' single sends: 11 requests.
      const sent = hs.requests.map((r) => `${r.status} ${r.path} ${occurrenceCount(r.body)}`);
      expect(sent.sort()).toEqual(
        [
          '400 /events/v3/send/batch 8',
          ...['400 /events/v3/send/batch 4', '400 /events/v3/send/batch 4'],
          ...['204 /events/v3/send/batch 2', '400 /events/v3/send/batch 2'],
          ...['204 /events/v3/send/batch 2', '400 /events/v3/send/batch 2'],
          ...['400 /events/v3/send 1', '204 /events/v3/send 1', '400 /events/v3/send 1', '204 /events/v3/send 1'],
        ].sort(),
      );
    } finally {
      hs.defineEvents(undefined);
    }
  });

  it('an events batch answered 503 is retried whole, not split', async () => {
    hs.reset();
    hs.failNext(1, { status: 503 });
    const events = Array.from({ length: 4 }, (_v, n) => track(10 + n, 'Plan Upgraded'));
    const results = await deliverer.deliver(tasks(events));
    expect(results.map((r) => r.outcome)).toEqual(
      events.map(() => ({ kind: 'retry', reason: 'HTTP 503', status: 503 })),
    );
    expect(hs.requests).toHaveLength(1);
    // Sent again, the same occurrences (the same uuids): each recorded once.
    await deliverer.deliver(tasks(events));
    await deliverer.deliver(tasks(events));
    expect(hs.events).toHaveLength(4);
    expect(hs.duplicatesIgnored).toBe(4);
  });
});

/** How many occurrences a request to the events endpoints carried. */
function occurrenceCount(body: string): number {
  const parsed = JSON.parse(body) as { inputs?: unknown[] };
  return parsed.inputs?.length ?? 1;
}

/** The ids of a batch upsert the emulator read (none when an injected failure answered it unread). */
function inputIds(body: string): string[] {
  if (body === '') return [];
  return (JSON.parse(body) as { inputs: { id: string }[] }).inputs.map((input) => input.id);
}
