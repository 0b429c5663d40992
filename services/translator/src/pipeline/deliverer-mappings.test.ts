// An event that matched several mappings of one instance: its requests go together, and one
// action the API cannot take is left out with a notice instead of sinking the others.
import { z } from 'zod';
import {
  defineAction,
  defineDestination,
  DropEventError,
  jsonRequest,
  parseSettings,
  prepareMappedEvents,
} from '@manifold/destination-kit';
import { WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { HttpSender } from '@manifold/destination-http';
import { KeyedLimiter } from '../http/keyed-limiter';
import { mappingOfRequest } from '../trace/request-mapping';
import { destination as instanceConfig, trackEvent } from '../test-support/harness';
import { Deliverer } from './deliverer';
import { SlowInstances } from './slow-instances';
import type { DeliveryTask } from './task';

const settings = z.object({ url: z.url() });
const fields = z.object({ name: z.string() });
const post = defineAction(settings, {
  title: 'Post',
  description: 'Posts the name',
  fields,
  defaultMapping: { name: { '@path': '$.event' } },
  perform: (payload, s) => [jsonRequest('POST', s.url, payload)],
});
const picky = defineAction(settings, {
  title: 'Picky',
  description: 'Refuses some names',
  fields,
  defaultMapping: { name: { '@path': '$.event' } },
  perform: (payload, s) => {
    if (payload.name === 'refused') throw new DropEventError('INVALID_PAYLOAD', 'the API takes no such name');
    return [jsonRequest('POST', s.url, { picky: payload.name })];
  },
});
const twoActions = defineDestination({
  id: 'two-actions',
  name: 'Two Actions',
  description: 'For tests',
  categories: [],
  settings,
  actions: { post, picky },
  routes: { track: [{ action: 'post' }] },
});

describe('Deliverer: an event matching several mappings', () => {
  let hook: WebhookEmulator;
  let deliverer: Deliverer;

  beforeAll(async () => {
    hook = await new WebhookEmulator().start();
    deliverer = new Deliverer({
      destination: twoActions,
      sender: new HttpSender({ timeoutMs: 5000, connectionsPerOrigin: 2 }),
      limiter: new KeyedLimiter(4),
      slow: new SlowInstances({ threshold: 5 }),
    });
  });

  afterAll(async () => {
    await hook?.close();
  });

  function task(event: SpecEvent, pickyName: string): DeliveryTask {
    const instance = instanceConfig({
      id: 'two',
      catalogId: 'two-actions',
      catalogName: 'Two Actions',
      settings: { url: `${hook.baseUrl}/in` },
      mappings: [
        { id: 'a', name: 'a', enabled: true, trigger: 'all', action: 'post', fields: { name: { '@path': '$.event' } } },
        { id: 'b', name: 'b', enabled: true, trigger: 'all', action: 'picky', fields: { name: pickyName } },
      ],
    });
    const parsed = parseSettings(twoActions, instance.settings);
    if (!parsed.ok) throw new Error('settings');
    const mapped = prepareMappedEvents(twoActions, event, parsed.settings, instance.mappings ?? []);
    if (mapped.kind !== 'mapped') throw new Error('not mapped');
    const [first, ...more] = mapped.mapped.map((m) => m.result);
    if (first?.kind !== 'prepared' || more.some((m) => m.kind !== 'prepared')) throw new Error('not prepared');
    return {
      event,
      metadata: { sourceId: 'src', workspaceId: 'ws' },
      instance,
      settings: parsed.settings,
      prepared: first,
      more: more as DeliveryTask['prepared'][],
      origin: 'events/0/1',
      offset: '1',
      readAt: 'events/0/1',
      attempts: 0,
      firstAttemptAt: Date.now(),
    };
  }

  it('sends the requests of every matched mapping as one event', async () => {
    const [result] = await deliverer.deliver([task(trackEvent(1, { event: 'Clicked' }), 'fine')]);
    expect(result?.outcome.kind).toBe('delivered');
    // Sent at once: in either order.
    const bodies = hook.deliveries.map((d) => JSON.stringify(d.body)).sort();
    expect(bodies).toEqual(['{"name":"Clicked"}', '{"picky":"fine"}']);
  });

  it('leaves out an action the API cannot take, with a notice, and delivers the rest', async () => {
    hook.deliveries.length = 0;
    const [result] = await deliverer.deliver([task(trackEvent(2, { event: 'Clicked' }), 'refused')]);
    expect(result?.outcome.kind).toBe('delivered');
    expect(result?.notices).toEqual([
      { kind: 'dropped', field: 'action picky', reason: 'INVALID_PAYLOAD: the API takes no such name' },
    ]);
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ name: 'Clicked' }]);
    // The trace names the mapping whose request it shows.
    expect(result?.exchange && mappingOfRequest(result.exchange.request)).toEqual({ id: 'a', name: 'a' });
  });

  it('names, on a retry, the mappings whose requests went through, so that only the others are sent again', async () => {
    hook.reset();
    hook.failNext(1, { status: 503 });
    const earlier = { ...task(trackEvent(4, { event: 'Clicked' }), 'fine'), deliveredMappings: ['gone'] };
    const [result] = await deliverer.deliver([earlier]);
    expect(result?.outcome.kind).toBe('retry');
    const delivered = hook.deliveries.map((d) => ('picky' in (d.body as object) ? 'b' : 'a'));
    expect(delivered).toHaveLength(1);
    expect(result?.deliveredMappings).toEqual(['gone', ...delivered]);
  });

  it('tags each request with the mapping it came from', async () => {
    hook.deliveries.length = 0;
    hook.failNext(2, { status: 400, body: { error: 'no' } });
    const [result] = await deliverer.deliver([task(trackEvent(3, { event: 'Clicked' }), 'fine')]);
    expect(result?.outcome.kind).toBe('dead-letter');
    const tagged = result?.exchange && mappingOfRequest(result.exchange.request);
    expect(['a', 'b']).toContain(tagged?.id);
    expect(JSON.parse(result?.exchange?.request.body ?? '{}')).toEqual(
      tagged?.id === 'a' ? { name: 'Clicked' } : { picky: 'fine' },
    );
  });
});
