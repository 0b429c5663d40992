import { BrazeEmulator } from './index';
import { json, send } from './test-http';

const apiKey = 'braze-key';
const auth = { authorization: `Bearer ${apiKey}` };
const event = (overrides: Record<string, unknown> = {}) => ({
  external_id: 'user-1',
  name: 'Played Song',
  time: '2026-06-01T11:59:00.000Z',
  properties: { song: 'x' },
  ...overrides,
});
const purchase = (overrides: Record<string, unknown> = {}) => ({
  external_id: 'user-1',
  product_id: 'sku-1',
  currency: 'USD',
  price: 9.99,
  quantity: 2,
  time: '2026-06-01T11:59:00.000Z',
  ...overrides,
});

describe('BrazeEmulator', () => {
  let braze: BrazeEmulator;
  beforeAll(async () => {
    braze = await new BrazeEmulator({ apiKey }).start();
  });
  afterAll(() => braze.close());
  beforeEach(() => braze.reset());

  const track = (body: unknown, headers: Record<string, string> = auth) =>
    send(`${braze.baseUrl}/users/track`, json(body, headers));

  it('answers 201 with counts and keeps every occurrence (no dedup)', async () => {
    const response = await track({
      attributes: [{ external_id: 'user-1', email: 'a@b.co', gender: 'F', dob: '1990-02-03' }],
      events: [event(), event()],
      purchases: [purchase()],
    });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({
      message: 'success',
      attributes_processed: 1,
      events_processed: 2,
      purchases_processed: 1,
    });
    expect(braze.events).toHaveLength(2);
    expect(braze.users.get('external_id:user-1')?.attributes).toEqual({
      email: 'a@b.co',
      gender: 'F',
      dob: '1990-02-03',
    });
  });

  it('reports invalid objects by index in a 201, applying the rest', async () => {
    const response = await track({
      events: [event(), event({ external_id: undefined })],
      purchases: [purchase({ quantity: 101 })],
    });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({
      message: 'success',
      events_processed: 1,
      purchases_processed: 0,
      errors: [
        {
          type: "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required",
          input_array: 'events',
          index: 1,
        },
        { type: "'quantity' is not valid", input_array: 'purchases', index: 0 },
      ],
    });
  });

  it.each([
    ['an event time in milliseconds', { events: [event({ time: 1780315140000 })] }, "'time' is not valid"],
    ['an event without time', { events: [event({ time: undefined })] }, "'time' is required"],
    ['an event without name', { events: [event({ name: '' })] }, "'name' is required"],
    ['a $-property', { events: [event({ properties: { $x: 1 } })] }, "'properties.$x' is not a valid key"],
    [
      'a property string over 255 characters',
      { events: [event({ properties: { s: 'x'.repeat(256) } })] },
      "'properties.s' is not valid",
    ],
    ['a currency that is not ISO 4217', { purchases: [purchase({ currency: 'usdx' })] }, "'currency' is not valid"],
    ['a price as text', { purchases: [purchase({ price: '9.99' })] }, "'price' is not valid"],
    ['a phone number as a number', { attributes: [{ external_id: 'u', phone: 33123456789 }] }, "'phone' is not valid"],
    ['a first name as a number', { attributes: [{ external_id: 'u', first_name: 7 }] }, "'first_name' is not valid"],
    ['a gender word', { attributes: [{ external_id: 'u', gender: 'female' }] }, "'gender' is not valid"],
    ['a dob with a time', { attributes: [{ external_id: 'u', dob: '1990-02-03T00:00:00Z' }] }, "'dob' is not valid"],
  ])('answers 400 when nothing is valid: %s', async (_name, body, type) => {
    const response = await track(body);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      message: "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.",
      errors: [{ type, index: 0 }],
    });
  });

  it('refuses a wrong key, more than 75 objects, and an empty body', async () => {
    const wrong = await track({ events: [event()] }, { authorization: 'Bearer nope' });
    expect([wrong.status, wrong.json()]).toEqual([401, { message: 'Invalid API Key' }]);
    const many = await track({ events: Array.from({ length: 76 }, () => event()) });
    expect(many.status).toBe(400);
    expect(many.json()).toMatchObject({ message: expect.stringContaining('Max Input Length Exceeded') });
    expect((await track({})).status).toBe(400);
    expect(braze.events).toEqual([]);
  });

  it('ignores _update_existing_only objects of unknown users; email and aliases identify users', async () => {
    await track({ events: [event({ external_id: 'ghost', _update_existing_only: true })] });
    expect(braze.ignored).toHaveLength(1);
    expect(braze.events).toEqual([]);
    const byEmail = await track({ events: [event({ external_id: undefined, email: 'a@b.co' })] });
    expect(byEmail.status).toBe(201);
    const byAlias = await track({
      events: [event({ external_id: undefined, user_alias: { alias_name: 'anon-1', alias_label: 'anonymous' } })],
    });
    expect(byAlias.status).toBe(201);
    expect(braze.events.map((e) => e.user)).toEqual(['email:a@b.co', 'alias:anonymous:anon-1']);
  });
});
