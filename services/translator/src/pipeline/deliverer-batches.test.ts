// A batch the kit splits into several requests: each request's answer is about its own events.
// HubSpot's contact upserts put a second event for the same email in a request of its own, so a
// batch of four identifies (one email twice) goes out as two requests; HubSpot refusing one of
// them whole must dead-letter that request's events only, and the other request's are delivered.
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
});

/** The ids of a batch upsert the emulator read (none when an injected failure answered it unread). */
function inputIds(body: string): string[] {
  if (body === '') return [];
  return (JSON.parse(body) as { inputs: { id: string }[] }).inputs.map((input) => input.id);
}
