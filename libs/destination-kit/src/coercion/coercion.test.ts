import { z } from 'zod';
import type { SpecEvent } from '@manifold/events';
import {
  coerce,
  defineAction,
  defineDestination,
  jsonRequest,
  lenient,
  Notices,
  parseSettings,
  translateEvent,
  type Coerced,
} from '../index';

const value = <T>(result: Coerced<T>) => (result.ok ? result.value : `refused: ${result.reason}`);

describe('coercions: lossless or refused with a reason', () => {
  it.each([
    [24, 24],
    ['24', 24],
    [' 12.50 ', 12.5],
    ['-1e3', -1000],
    ['.5', 0.5],
    ['1,000', 'refused: not a number'],
    ['0x10', 'refused: not a number'],
    ['', 'refused: not a number'],
    ['NaN', 'refused: not a number'],
    ['Infinity', 'refused: not a number'],
    ['12345678901234567890', 'refused: more digits than a number keeps'],
    ['1e400', 'refused: not a finite number'],
    [true, 'refused: a boolean, not a number'],
    [{ amount: 1 }, 'refused: an object, not a number'],
    [[1], 'refused: a list, not a number'],
  ])('number %j → %j', (input, expected) => expect(value(coerce.number(input))).toEqual(expected));

  it('number reports the conversion of a string', () => {
    expect(coerce.number('24')).toEqual({ ok: true, value: 24, from: 'string' });
    expect(coerce.number(24)).toEqual({ ok: true, value: 24 });
  });

  it.each([
    [3, 3],
    ['3', 3],
    ['3.0', 3],
    [3.5, 'refused: not an integer'],
    ['2.5', 'refused: not an integer'],
    [2 ** 60, 'refused: not an integer'],
    [false, 'refused: a boolean, not an integer'],
  ])('integer %j → %j', (input, expected) => expect(value(coerce.integer(input))).toEqual(expected));

  it.each([
    ['abc', 'abc'],
    [12345, '12345'],
    [1.5, '1.5'],
    [true, 'true'],
    [Number.NaN, 'refused: not a finite number'],
    [{ a: 1 }, 'refused: an object, not a string'],
    [['a'], 'refused: a list, not a string'],
  ])('string %j → %j', (input, expected) => expect(value(coerce.string(input))).toEqual(expected));

  it.each([
    [true, true],
    ['true', true],
    ['FALSE', false],
    ['yes', 'refused: not true or false'],
    [1, 'refused: a number, not a boolean'],
  ])('boolean %j → %j', (input, expected) => expect(value(coerce.boolean(input))).toEqual(expected));

  it.each([
    ['2026-06-01T11:59:00.000Z', '2026-06-01T11:59:00.000Z'],
    ['2026-06-01T13:59:00+02:00', '2026-06-01T11:59:00.000Z'],
    ['2026-06-01', '2026-06-01T00:00:00.000Z'],
    [1780315140, '2026-06-01T11:59:00.000Z'],
    [1780315140000, '2026-06-01T11:59:00.000Z'],
    ['1780315140', '2026-06-01T11:59:00.000Z'],
    ['yesterday', 'refused: not an ISO-8601 date-time'],
    ['2026-13-45', 'refused: not a date-time'],
    [true, 'refused: a boolean, not a date-time'],
  ])('timestamp %j → %j', (input, expected) => expect(value(coerce.timestamp(input))).toEqual(expected));

  it.each([
    ['USD', 'USD'],
    ['eur', 'EUR'],
    ['XYZ', 'refused: not an ISO 4217 currency code'],
    ['dollars', 'refused: not an ISO 4217 currency code'],
    [840, 'refused: a number, not a currency code'],
  ])('currency %j → %j', (input, expected) => expect(value(coerce.currency(input))).toEqual(expected));

  it.each([
    ['+1 (415) 555-0123', '+1 (415) 555-0123'],
    [14155550123, '14155550123'],
    [-5, 'refused: not a phone number'],
    [4.5, 'refused: not a phone number'],
    ['call me', 'refused: not a phone number'],
  ])('phone %j → %j', (input, expected) => expect(value(coerce.phone(input))).toEqual(expected));

  it.each([
    [' ann@example.com ', 'ann@example.com'],
    ['ann@example', 'refused: not an email address'],
    [42, 'refused: a number, not an email address'],
  ])('email %j → %j', (input, expected) => expect(value(coerce.email(input))).toEqual(expected));

  it('null and undefined are missing', () => {
    for (const convert of Object.values(coerce)) {
      expect(convert(null)).toEqual({ ok: false, reason: 'missing' });
      expect(convert(undefined)).toEqual({ ok: false, reason: 'missing' });
    }
  });
});

describe('notices', () => {
  it('records drops and conversions once per field, with list indexes folded', () => {
    const notices = new Notices();
    expect(notices.coerce('items[0].price', '12.50', coerce.number)).toBe(12.5);
    expect(notices.coerce('items[1].price', '3', coerce.number)).toBe(3);
    expect(notices.coerce('revenue', 'lots', coerce.number)).toBeUndefined();
    expect(notices.coerce('absent', null, coerce.number)).toBeUndefined();
    notices.dropped('params.cart', 'nested object');
    expect(notices.list).toEqual([
      { kind: 'converted', field: 'items[].price', reason: 'string to number' },
      { kind: 'dropped', field: 'revenue', reason: 'not a number' },
      { kind: 'dropped', field: 'params.cart', reason: 'nested object' },
    ]);
  });

  it('a batched flow reaches each event’s notices through forEvent; a single event’s are its own', () => {
    const perEvent = [new Notices(), new Notices()];
    const batch = new Notices(perEvent);
    batch.forEvent(1).dropped('custom_fields.seats', 'not a number');
    expect(perEvent.map((n) => n.size)).toEqual([0, 1]);
    const single = new Notices();
    expect(single.forEvent(3)).toBe(single);
  });
});

describe('lenient fields and notices through translateEvent', () => {
  const settings = z.object({ url: z.url().default('https://api.example.com') });
  const send = defineAction(settings, {
    title: 'Send',
    description: 'Sends the payload',
    fields: z.object({
      name: z.string().min(1),
      lat: lenient.number(),
      phone: lenient.phone(),
      vip: lenient.boolean(),
      location: z.object({ city: lenient.string(), zip: lenient.string() }).nullish(),
      items: z.array(z.object({ id: lenient.string(), price: lenient.number() })).optional(),
      tags: z.unknown().optional(),
    }),
    defaultMapping: {
      name: { '@path': '$.event' },
      lat: { '@path': '$.properties.lat' },
      phone: { '@path': '$.properties.phone' },
      vip: { '@path': '$.properties.vip' },
      location: { '@path': '$.properties.location' },
      items: { '@path': '$.properties.items' },
      tags: { '@path': '$.properties.tags' },
    },
    perform: (payload, s, notices) => {
      // What a destination does with a value its API cannot take: leave it out, say so.
      const { tags, ...rest } = payload;
      if (tags !== undefined) notices.dropped('tags', 'a list, not a string');
      return [jsonRequest('POST', s.url, rest)];
    },
  });
  const destination = defineDestination({
    id: 'lenient',
    name: 'Lenient',
    description: 'test',
    categories: [],
    settings,
    actions: { send },
    routes: { track: [{ action: 'send' }] },
  });
  const parsed = parseSettings(destination, {});
  if (!parsed.ok) throw new Error('settings');

  const event = (properties: Record<string, unknown>): SpecEvent => ({
    type: 'track',
    event: 'Visited',
    messageId: 'm-1',
    userId: 'u-1',
    timestamp: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:00.000Z',
    context: {},
    integrations: {},
    properties,
  });

  it('converts what converts, drops one field with a notice, and delivers the rest', () => {
    const location = { city: 'Paris', zip: 75001 };
    const items = [
      { id: 7, price: '12.50' },
      { id: 'b', price: 'free' },
    ];
    const input = event({ lat: '48.85', phone: 33612345678, vip: 'maybe', location, items, tags: ['a'] });
    const translation = translateEvent(destination, input, parsed.settings);
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    expect(JSON.parse(translation.requests[0]?.body ?? '')).toEqual({
      name: 'Visited',
      lat: 48.85,
      phone: '33612345678',
      location: { city: 'Paris', zip: '75001' },
      items: [{ id: '7', price: 12.5 }, { id: 'b' }],
    });
    expect(translation.notices).toEqual([
      { kind: 'converted', field: 'lat', reason: 'string to number' },
      { kind: 'converted', field: 'phone', reason: 'number to string' },
      { kind: 'dropped', field: 'vip', reason: 'not true or false' },
      { kind: 'converted', field: 'location.zip', reason: 'number to string' },
      { kind: 'converted', field: 'items[].id', reason: 'number to string' },
      { kind: 'converted', field: 'items[].price', reason: 'string to number' },
      { kind: 'dropped', field: 'items[].price', reason: 'not a number' },
      { kind: 'dropped', field: 'tags', reason: 'a list, not a string' },
    ]);
    // The event itself is not changed: other destination instances read it too.
    expect(location).toEqual({ city: 'Paris', zip: 75001 });
    expect(items[0]).toEqual({ id: 7, price: '12.50' });
  });

  it('an event with nothing to convert has no notices', () => {
    const translation = translateEvent(destination, event({ lat: 1 }), parsed.settings);
    expect(translation).toMatchObject({ kind: 'requests', notices: [] });
  });
});
