import { catalogEntry, prepareMappedEvents, presetMappings, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { SlackEmulator } from '@manifold/emulators';
import { slack } from './index';
import { deliverAll, parsed, runTranslationCases, specEvent, type TranslationCase } from '../test-support/harness';

const HOOK = '/services/T0001/B0001/Xq7bZ2mNp4Rt8sLw3vYk6cJd';

const post = (json: Record<string, unknown>) => ({
  method: 'POST',
  path: HOOK,
  headers: { 'content-type': 'application/json' },
  json,
});

const cases: TranslationCase[] = [
  {
    name: 'track: "<userId> did <event>" with each property on a line',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30, currency: 'EUR' } }),
    expect: { requests: [post({ text: '*user-1001* did *Order Completed*\n• total: 30\n• currency: EUR' })] },
  },
  {
    name: 'track of an anonymous visitor names the anonymousId',
    event: specEvent({ type: 'track', userId: null, event: 'Viewed Pricing', properties: {} }),
    expect: { requests: [post({ text: 'An anonymous visitor (anon-4d2b9c) did *Viewed Pricing*' })] },
  },
  {
    name: 'nested properties and lists are shown as JSON; values cannot mention a channel (<, >, & escaped)',
    event: specEvent({
      type: 'track',
      event: 'Note Added',
      properties: { note: '<!channel> R&D <b>', tags: ['a', 'b'], address: { city: 'Paris' }, empty: null },
    }),
    expect: {
      requests: [
        post({
          text:
            '*user-1001* did *Note Added*\n• note: &lt;!channel&gt; R&amp;D &lt;b&gt;\n• tags: ["a","b"]\n' +
            '• address: {"city":"Paris"}\n• empty: null',
        }),
      ],
    },
  },
  {
    name: 'identify: "Identified <userId>" with the traits',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro' } }),
    expect: { requests: [post({ text: 'Identified *user-1001*\n• email: ann@example.com\n• plan: pro' })] },
  },
  {
    name: 'identify of an anonymous visitor',
    event: specEvent({ type: 'identify', userId: null, traits: {} }),
    expect: { requests: [post({ text: 'Identified an anonymous visitor (anon-4d2b9c)' })] },
  },
  {
    name: 'a text longer than Slack shows is cut to 40,000 characters, with a notice',
    event: specEvent({ type: 'track', event: 'Long', properties: { body: 'x'.repeat(40_100) } }),
    expect: {
      requests: [post({ text: `*user-1001* did *Long*\n• body: ${'x'.repeat(40_100)}`.slice(0, 40_000) })],
      notices: [{ kind: 'converted', field: 'text', reason: 'cut to 40000 characters' }],
    },
  },
  {
    name: 'page has no preset: no message unless a mapping asks for one',
    event: specEvent({ type: 'page', name: 'Cart' }),
    expect: { drop: 'NO_MATCHING_MAPPING' },
  },
  {
    name: 'screen has no preset',
    event: specEvent({ type: 'screen', name: 'Home' }),
    expect: { drop: 'NO_MATCHING_MAPPING' },
  },
  {
    name: 'group has no preset',
    event: specEvent({ type: 'group', groupId: 'g' }),
    expect: { drop: 'NO_MATCHING_MAPPING' },
  },
  {
    name: 'alias has no preset',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { drop: 'NO_MATCHING_MAPPING' },
  },
];

describe('Slack', () => {
  let sl: SlackEmulator;
  beforeAll(async () => {
    sl = await new SlackEmulator({ hooks: [HOOK], rate: { perSecond: 1, burst: 100 } }).start();
  });
  afterAll(() => sl.close());

  const base = () => ({ webhookUrl: `${sl.baseUrl}${HOOK}` });

  it('has a valid definition and catalog entry; the webhook URL is a credential', () => {
    expect(validateDefinition(slack)).toEqual([]);
    expect(catalogEntry(slack)).toMatchObject({
      id: 'slack',
      name: 'Slack',
      secrets: { webhookUrl: 'url' },
      supportedCallTypes: ['identify', 'track'],
    });
  });

  runTranslationCases(slack, cases, () => ({ baseSettings: base(), baseUrl: sl.baseUrl }));

  it('the emulator posted every message the cases sent', () => {
    expect(sl.messages.length).toBe(cases.filter((c) => 'requests' in c.expect).length);
  });

  it('an instance mapping posts the events it matches, with its own template, channel and sender', () => {
    const settings = parsed(slack, base());
    const mappings = [
      ...presetMappings(slack),
      {
        id: 'big-orders',
        name: 'Big orders to #sales',
        enabled: true,
        trigger: 'type = "page" and name = "Checkout"',
        action: 'postMessage',
        fields: {
          text: { '@template': ':tada: {{userId}} reached {{properties.path}}' },
          channel: { '@literal': '#sales' },
          username: { '@literal': 'Manifold' },
          iconEmoji: { '@literal': ':moneybag:' },
          unfurlLinks: { '@literal': 'false' },
        },
      },
    ];
    const mapped = prepareMappedEvents(
      slack,
      specEvent({ type: 'page', name: 'Checkout', properties: { path: '/checkout' } }),
      settings,
      mappings,
    );
    expect(mapped).toMatchObject({ kind: 'mapped', mapped: [{ mappingId: 'big-orders' }] });
    if (mapped.kind !== 'mapped') throw new Error('not mapped');
    expect(mapped.mapped[0]?.result).toMatchObject({
      kind: 'prepared',
      payload: {
        text: ':tada: user-1001 reached /checkout',
        channel: '#sales',
        username: 'Manifold',
        iconEmoji: ':moneybag:',
        unfurlLinks: false,
      },
      notices: [{ kind: 'converted', field: 'unfurlLinks', reason: 'string to boolean' }],
    });
  });

  it('a text template that resolves to nothing drops the event, naming the field', () => {
    const settings = parsed(slack, base());
    const mapped = prepareMappedEvents(slack, specEvent({ type: 'track', event: 'X' }), settings, [
      {
        id: 'm',
        name: 'm',
        enabled: true,
        trigger: 'type = "track"',
        action: 'postMessage',
        fields: { text: { '@template': '{{nothing}}' } },
      },
    ]);
    if (mapped.kind !== 'mapped') throw new Error('not mapped');
    expect(mapped.mapped[0]?.result).toMatchObject({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
      message: expect.stringContaining('text'),
    });
  });

  it('details that are not an object are left out with a notice; the message is still posted', () => {
    const settings = parsed(slack, base());
    const mapped = prepareMappedEvents(slack, specEvent({ type: 'track', event: 'X' }), settings, [
      {
        id: 'm',
        name: 'm',
        enabled: true,
        trigger: 'type = "track"',
        action: 'postMessage',
        fields: { text: { '@template': '{{event}}' }, details: { '@path': '$.event' } },
      },
    ]);
    if (mapped.kind !== 'mapped') throw new Error('not mapped');
    expect(mapped.mapped[0]?.result).toMatchObject({
      kind: 'prepared',
      payload: { text: 'X' },
      notices: [{ kind: 'dropped', field: 'details' }],
    });
  });

  it('removed, archived and revoked webhooks are permanent failures; 429 waits for Retry-After, 5xx retries', async () => {
    const other = '/services/T0002/B0002/Hk3mZ9qPw2Lx7Rt5Vb8nYc4D';
    const removed = await new SlackEmulator({ hooks: [other] }).start();
    try {
      const url = (path: string) => `${removed.baseUrl}${path}`;
      const send = async (path: string) => {
        const t = translateEvent(
          slack,
          specEvent({ type: 'track', event: 'X' }),
          parsed(slack, { webhookUrl: url(path) }),
        );
        if (t.kind !== 'requests') throw new Error('no requests');
        return (await deliverAll(slack, t.requests))[0];
      };
      expect(await send('/services/T0002/B0002/Unknown1')).toMatchObject({
        response: { status: 404, body: 'no_service' },
        outcome: { kind: 'dead-letter', reason: 'REJECTED', status: 404 },
      });
      removed.setHookState(other, 'archived');
      expect((await send(other))?.outcome).toMatchObject({ kind: 'dead-letter', status: 410 });
      removed.setHookState(other, 'revoked');
      expect((await send(other))?.response).toMatchObject({ status: 403, body: 'invalid_token' });
      removed.setHookState(other, 'active');
      removed.failNext(1, { status: 500, body: 'rollup_error' });
      expect((await send(other))?.outcome).toMatchObject({ kind: 'retry', status: 500 });
      removed.failNext(1, { status: 429, retryAfterSeconds: 3 });
      expect((await send(other))?.outcome).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 3000 });
      expect((await send(other))?.outcome).toMatchObject({ kind: 'delivered', status: 200 });
    } finally {
      await removed.close();
    }
  });
});
