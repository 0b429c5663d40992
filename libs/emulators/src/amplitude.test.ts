import { AmplitudeEmulator } from './index';
import { form, json, send } from './test-http';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const apiKey = 'amp-key';
const event = (overrides: Record<string, unknown> = {}) => ({
  user_id: 'user-1',
  event_type: 'Signed Up',
  time: NOW - 1000,
  insert_id: 'm-1',
  ...overrides,
});

describe('AmplitudeEmulator', () => {
  let amp: AmplitudeEmulator;
  beforeAll(async () => {
    amp = await new AmplitudeEmulator({ apiKey, now: () => NOW }).start();
  });
  afterAll(() => amp.close());
  beforeEach(() => amp.reset());

  const http = () => `${amp.baseUrl}/2/httpapi`;

  it('ingests events and ignores repeats of an insert_id', async () => {
    const response = await send(http(), json({ api_key: apiKey, events: [event(), event({ insert_id: 'm-2' })] }));
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ code: 200, events_ingested: 2, server_upload_time: NOW });
    await send(http(), json({ api_key: apiKey, events: [event()] }));
    expect(amp.events).toHaveLength(2);
    expect(amp.duplicatesIgnored).toBe(1);
  });

  it.each([
    ['time as an ISO string', event({ time: '2026-06-01T00:00:00Z' }), { events_with_invalid_fields: { time: [1] } }],
    ['time as a float', event({ time: 1.5 }), { events_with_invalid_fields: { time: [1] } }],
    ['no event_type', event({ event_type: undefined }), { events_with_missing_fields: { event_type: [1] } }],
    ['no ids', event({ user_id: undefined }), { events_with_missing_fields: { user_id: [1] } }],
    ['only a too-short id', event({ user_id: 'abc' }), { events_with_missing_fields: { user_id: [1] } }],
    ['a blocklisted id', event({ user_id: 'undefined' }), { events_with_invalid_fields: { user_id: [1] } }],
    ['a latitude as a string', event({ location_lat: '48.85' }), { events_with_invalid_fields: { location_lat: [1] } }],
    [
      'an advertising id that is not a string',
      event({ adid: 38400000 }),
      { events_with_invalid_fields: { adid: [1] } },
    ],
    ['a quantity that is not an integer', event({ quantity: '2' }), { events_with_invalid_fields: { quantity: [1] } }],
    [
      'event_properties not an object',
      event({ event_properties: [1] }),
      { events_with_invalid_fields: { event_properties: [1] } },
    ],
  ])('rejects the whole request for %s', async (_name, bad, body) => {
    const response = await send(http(), json({ api_key: apiKey, events: [event({ insert_id: 'ok' }), bad] }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ code: 400, ...body });
    expect(amp.events).toHaveLength(0);
  });

  it('honours options.min_id_length', async () => {
    const response = await send(
      http(),
      json({ api_key: apiKey, events: [event({ user_id: 'ab' })], options: { min_id_length: 2 } }),
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['no api_key', { events: [event()] }, 400, { missing_field: 'api_key' }],
    ['a wrong api_key', { api_key: 'x', events: [event()] }, 400, { error: 'Invalid API key' }],
    ['no events', { api_key: apiKey }, 400, { missing_field: 'events' }],
    [
      '2000 events',
      { api_key: apiKey, events: Array.from({ length: 2000 }, () => event()) },
      413,
      { error: 'Payload too large' },
    ],
  ])('refuses %s', async (_name, body, status, expected) => {
    const response = await send(http(), json(body));
    expect(response.status).toBe(status);
    expect(response.json()).toMatchObject(expected);
  });

  it('needs application/json and a JSON body', async () => {
    const asForm = await send(http(), form({ api_key: apiKey, events: [event()] }));
    expect(asForm.status).toBe(400);
    const broken = await send(http(), { headers: { 'content-type': 'application/json' }, body: '{' });
    expect(broken.json()).toEqual({ code: 400, error: 'Invalid JSON request body' });
  });

  it('takes form-encoded identify, group identify and user mapping', async () => {
    const identify = await send(
      `${amp.baseUrl}/identify`,
      form({ api_key: apiKey, identification: { user_id: 'user-1', user_properties: { plan: 'pro' } } }),
    );
    expect([identify.status, identify.text]).toEqual([200, 'success']);
    const group = await send(
      `${amp.baseUrl}/groupidentify`,
      form({
        api_key: apiKey,
        identification: [{ group_type: 'company', group_value: 'Acme', group_properties: { size: 10 } }],
      }),
    );
    expect(group.status).toBe(200);
    const map = await send(
      `${amp.baseUrl}/usermap`,
      form({ api_key: apiKey, mapping: [{ user_id: 'old-1', global_user_id: 'new-1' }] }),
    );
    expect(map.status).toBe(200);
    expect([amp.identifications.length, amp.groupIdentifications.length, amp.userMappings.length]).toEqual([1, 1, 1]);
  });

  it.each([
    ['/identify as JSON', '/identify', json({ api_key: apiKey, identification: { user_id: 'user-1' } })],
    ['/identify without ids', '/identify', form({ api_key: apiKey, identification: { user_properties: {} } })],
    ['/identify with a wrong key', '/identify', form({ api_key: 'x', identification: { user_id: 'user-1' } })],
    [
      '/groupidentify without group_type',
      '/groupidentify',
      form({ api_key: apiKey, identification: [{ group_value: 'x' }] }),
    ],
    ['/usermap without global_user_id', '/usermap', form({ api_key: apiKey, mapping: [{ user_id: 'old' }] })],
  ])('refuses %s', async (_name, path, request) => {
    expect((await send(`${amp.baseUrl}${path}`, request)).status).toBe(400);
  });
});
