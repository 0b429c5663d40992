import { Ga4Emulator } from './index';
import { json, send } from './test-http';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const body = (overrides: Record<string, unknown> = {}) => ({
  client_id: 'c-1',
  timestamp_micros: (NOW - 1000) * 1000,
  events: [{ name: 'page_view', params: { page_location: 'https://x.test/', engagement_time_msec: 1 } }],
  ...overrides,
});

describe('Ga4Emulator', () => {
  let ga: Ga4Emulator;
  beforeAll(async () => {
    ga = await new Ga4Emulator({ apiSecret: 'sec', measurementId: 'G-TEST', now: () => NOW }).start();
  });
  afterAll(() => ga.close());
  beforeEach(() => ga.reset());

  const collect = (path = '/mp/collect') => `${ga.baseUrl}${path}?measurement_id=G-TEST&api_secret=sec`;

  it('answers 204 and keeps valid payloads', async () => {
    const response = await send(collect(), json(body()));
    expect(response.status).toBe(204);
    expect(ga.acceptedPayloads()).toEqual([body()]);
  });

  it('answers 204 to invalid payloads too, recording why GA would drop them', async () => {
    const response = await send(collect(), json(body({ events: [{ name: '_bad' }] })));
    expect(response.status).toBe(204);
    expect(ga.acceptedPayloads()).toEqual([]);
    expect(ga.collected[0]?.validationMessages).toEqual([
      {
        fieldPath: 'events',
        validationCode: 'NAME_INVALID',
        description: 'Event at index: [0] has invalid name [_bad]. Names must start with an alphabetic character.',
      },
    ]);
  });

  it('records a wrong api_secret or measurement_id that Google drops silently', async () => {
    await send(`${ga.baseUrl}/mp/collect?measurement_id=G-OTHER&api_secret=nope`, json(body()));
    expect(ga.collected[0]?.validationMessages.map((m) => m.fieldPath)).toEqual(['api_secret', 'measurement_id']);
  });

  const tooMany = Object.fromEntries(Array.from({ length: 26 }, (_v, i) => [`p${i}`, i]));
  it.each([
    ['no client_id', body({ client_id: undefined }), 'VALUE_REQUIRED'],
    ['no events', body({ events: [] }), 'VALUE_REQUIRED'],
    ['26 events', body({ events: Array.from({ length: 26 }, () => ({ name: 'x' })) }), 'EXCEEDED_MAX_ENTITIES'],
    ['a reserved event name', body({ events: [{ name: 'session_start' }] }), 'NAME_RESERVED'],
    ['an app-only event on web', body({ events: [{ name: 'screen_view' }] }), 'NAME_RESERVED'],
    ['a name with a space', body({ events: [{ name: 'Order Completed' }] }), 'NAME_INVALID'],
    ['a 41-character name', body({ events: [{ name: 'a'.repeat(41) }] }), 'NAME_INVALID'],
    ['26 params', body({ events: [{ name: 'x', params: tooMany }] }), 'EXCEEDED_MAX_ENTITIES'],
    ['a reserved param prefix', body({ events: [{ name: 'x', params: { ga_x: 1 } }] }), 'NAME_RESERVED'],
    ['an object param', body({ events: [{ name: 'x', params: { o: { a: 1 } } }] }), 'VALUE_INVALID'],
    [
      'a 101-character param value',
      body({ events: [{ name: 'x', params: { v: 'a'.repeat(101) } }] }),
      'VALUE_OUT_OF_BOUNDS',
    ],
    [
      'an item without id or name',
      body({ events: [{ name: 'purchase', params: { items: [{ price: 1 }] } }] }),
      'VALUE_REQUIRED',
    ],
    [
      'an item price as a string',
      body({ events: [{ name: 'add_to_cart', params: { items: [{ item_id: 'p', price: '12.50' }] } }] }),
      'VALUE_INVALID',
    ],
    [
      'a numeric item_id',
      body({ events: [{ name: 'add_to_cart', params: { items: [{ item_id: 123 }] } }] }),
      'VALUE_INVALID',
    ],
    ['a value as a string', body({ events: [{ name: 'purchase', params: { value: '30' } }] }), 'VALUE_INVALID'],
    ['a lower-case currency', body({ events: [{ name: 'purchase', params: { currency: 'eur' } }] }), 'VALUE_INVALID'],
    ['milliseconds instead of microseconds', body({ timestamp_micros: NOW }), 'VALUE_OUT_OF_BOUNDS'],
    ['a timestamp older than 72 h', body({ timestamp_micros: (NOW - 73 * 3_600_000) * 1000 }), 'VALUE_OUT_OF_BOUNDS'],
    ['a user property without {value}', body({ user_properties: { plan: 'pro' } }), 'VALUE_INVALID'],
    [
      'a long user property value',
      body({ user_properties: { plan: { value: 'x'.repeat(37) } } }),
      'VALUE_OUT_OF_BOUNDS',
    ],
    ['a reserved user property', body({ user_properties: { first_open_time: { value: 1 } } }), 'NAME_RESERVED'],
  ])('/debug/mp/collect reports %s', async (_name, payload, code) => {
    const response = await send(collect('/debug/mp/collect'), json(payload));
    expect(response.status).toBe(200);
    const messages = (response.json() as { validationMessages: { validationCode: string }[] }).validationMessages;
    expect(messages.map((m) => m.validationCode)).toContain(code);
  });

  it('flags a body of 130,000 bytes or more (GA4 ignores it silently), answering 204 as GA4 does', async () => {
    const sized = (bytes: number) => {
      const base = JSON.stringify(body({ user_id: '' }));
      const payload = body({ user_id: 'u'.repeat(bytes - Buffer.byteLength(base)) });
      expect(Buffer.byteLength(JSON.stringify(payload))).toBe(bytes);
      return payload;
    };
    expect((await send(collect(), json(sized(129_999)))).status).toBe(204);
    expect((await send(collect(), json(sized(130_000)))).status).toBe(204);
    expect(ga.collected.map((c) => c.validationMessages)).toEqual([
      [],
      [
        {
          fieldPath: '',
          validationCode: 'VALUE_OUT_OF_BOUNDS',
          description: 'Payload exceeds 130 kB (130,000 bytes).',
        },
      ],
    ]);
    expect(ga.acceptedPayloads()).toEqual([sized(129_999)]);
    const debug = await send(collect('/debug/mp/collect'), json(sized(130_000)));
    expect(debug.json()).toMatchObject({ validationMessages: [{ validationCode: 'VALUE_OUT_OF_BOUNDS' }] });
  });

  it('validates app streams by app_instance_id', async () => {
    const url = `${ga.baseUrl}/debug/mp/collect?firebase_app_id=1:1:android:a&api_secret=sec`;
    const noId = await send(url, json(body()));
    expect(noId.json()).toMatchObject({ validationMessages: [{ fieldPath: 'app_instance_id' }] });
    const ok = await send(url, json(body({ app_instance_id: 'a'.repeat(32), events: [{ name: 'screen_view' }] })));
    expect(ok.json()).toEqual({ validationMessages: [] });
  });
});
