import { KeenEmulator } from './index';
import { json, send } from './test-http';

const projectId = '5f0c3b1e7d4a4c4e9a570e1c';
const keys = { writeKey: 'wk', readKey: 'rk', masterKey: 'mk' };

describe('KeenEmulator', () => {
  let kn: KeenEmulator;
  beforeAll(async () => {
    kn = await new KeenEmulator({ projectId, ...keys, now: () => Date.parse('2026-06-01T12:00:00.000Z') }).start();
  });
  afterAll(() => kn.close());
  beforeEach(() => kn.reset());

  const url = (path = '') => `${kn.baseUrl}/3.0/projects/${projectId}/events${path}`;
  const post = async (path: string, body: unknown, key = keys.writeKey) => {
    const r = await send(url(path), json(body, key ? { authorization: key } : {}));
    return [r.status, r.json()];
  };

  it('records one event (201 created) and fills keen.created_at, keen.id and a missing timestamp', async () => {
    expect(await post('/Purchases', { item: 'Shoe', price: 30 })).toEqual([201, { created: true }]);
    expect(kn.collection('Purchases')).toEqual([
      {
        item: 'Shoe',
        price: 30,
        keen: {
          timestamp: '2026-06-01T12:00:00.000Z',
          created_at: '2026-06-01T12:00:00.000Z',
          id: expect.stringMatching(/^[0-9a-f]{24}$/),
        },
      },
    ]);
  });

  it('batches answer per collection and position; one bad event never rejects its neighbours', async () => {
    const [status, body] = await post('', {
      Good: [{ a: 1 }, { 'b.c': 2 }, { $d: 3 }, { nested: { 'x.y': 1 } }],
      _hidden: [{ a: 1 }],
      'Ok Too': [{ keen: 'no' }, { keen: { created_at: 'x' } }, { keen: { timestamp: 'yesterday' } }],
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      Good: [
        { success: true },
        { success: false, error: expect.objectContaining({ name: 'InvalidPropertyNameError' }) },
        { success: false, error: expect.objectContaining({ name: 'InvalidPropertyNameError' }) },
        { success: false, error: expect.objectContaining({ name: 'InvalidPropertyNameError' }) },
      ],
      _hidden: [{ success: false, error: expect.objectContaining({ name: 'InvalidCollectionNameError' }) }],
      'Ok Too': [
        { success: false, error: expect.objectContaining({ name: 'NamespaceTypeError' }) },
        { success: false, error: expect.objectContaining({ name: 'InvalidKeenNamespaceProperty' }) },
        { success: false, error: expect.objectContaining({ name: 'InvalidKeenNamespaceProperty' }) },
      ],
    });
    expect(kn.events).toHaveLength(1);
  });

  it('checks collection names: ≤ 64 printable ASCII, no $, no leading _ or ., no trailing .', async () => {
    for (const name of ['a'.repeat(65), 'a$b', '.a', 'a.', 'Ünï']) {
      const [status, body] = await post('', { [name]: [{ a: 1 }] });
      expect([name, status, (body as Record<string, { error: { name: string } }[]>)[name]?.[0]?.error.name]).toEqual([
        name,
        200,
        'InvalidCollectionNameError',
      ]);
    }
    expect((await post('', { ['a'.repeat(64)]: [{ a: 1 }] }))[1]).toEqual({ ['a'.repeat(64)]: [{ success: true }] });
  });

  it('keeps the first event of a uniqueness token per collection', async () => {
    const event = { n: 1, keen: { uniqueness_token: 't-1' } };
    await post('', { A: [event, event], B: [event] });
    expect(kn.events.map((e) => e.collection)).toEqual(['A', 'B']);
    expect(kn.duplicatesIgnored).toBe(1);
    expect((await post('', { A: [{ keen: { uniqueness_token: 't'.repeat(65) } }] }))[1]).toEqual({
      A: [{ success: false, error: expect.objectContaining({ name: 'InvalidKeenNamespaceProperty' }) }],
    });
  });

  it('runs add-ons whose inputs exist, substitutes ${keen.ip}, and refuses unknown add-ons', async () => {
    const addon = (name: string, input: Record<string, string>) => ({ name, input, output: `${name}_out` });
    await post('/Visits', {
      ip_address: '${keen.ip}',
      page_url: 'https://a.example/',
      keen: { addons: [addon('keen:ip_to_geo', { ip: 'ip_address' }), addon('keen:url_parser', { url: 'page_url' })] },
    });
    expect(kn.collection('Visits')[0]).toMatchObject({
      ip_address: '127.0.0.1',
      'keen:ip_to_geo_out': { ip: '127.0.0.1' },
      'keen:url_parser_out': { url: 'https://a.example/' },
    });
    expect(kn.collection('Visits')[0]?.['keen']).not.toHaveProperty('addons');
    expect(await post('/Visits', { keen: { addons: [addon('keen:ua_parser', { ua_string: 'missing' })] } })).toEqual([
      400,
      { message: expect.stringContaining('must name a property'), error_code: 'InvalidKeenNamespaceProperty' },
    ]);
    expect((await post('/Visits', { keen: { addons: [addon('keen:nope', {})] } }))[0]).toBe(400);
  });

  it('lists of objects are stored flagged, or refused when configured', async () => {
    await post('/L', { items: [{ sku: 'x' }] });
    expect(kn.events[0]?.flagged).toBe(true);
    const strict = await new KeenEmulator({ projectId, ...keys, rejectListsOfObjects: true }).start();
    try {
      const r = await send(
        `${strict.baseUrl}/3.0/projects/${projectId}/events/L`,
        json({ items: [{ sku: 'x' }] }, { authorization: 'wk' }),
      );
      expect([r.status, (r.json() as { error_code: string }).error_code]).toEqual([
        400,
        'ListsOfNonPrimitivesNotAllowedError',
      ]);
    } finally {
      await strict.close();
    }
  });

  it('keys: write or master to record (raw Authorization or api_key), read to inspect; bad key 401, unknown project 404', async () => {
    expect((await post('/A', { a: 1 }, keys.readKey))[0]).toBe(401);
    expect(await post('/A', { a: 1 }, '')).toEqual([
      401,
      { message: expect.any(String), error_code: 'InvalidApiKeyError' },
    ]);
    expect((await post('/A', { a: 1 }, keys.masterKey))[0]).toBe(201);
    const viaQuery = await send(`${url('/A')}?api_key=${keys.writeKey}`, json({ a: 2 }));
    expect(viaQuery.status).toBe(201);
    const inspect = await send(url(), { method: 'GET', headers: { authorization: keys.readKey } });
    expect([inspect.status, inspect.json()]).toEqual([200, [{ name: 'A', count: 2 }]]);
    const other = await send(`${kn.baseUrl}/3.0/projects/nope/events/A`, json({ a: 1 }, { authorization: 'wk' }));
    expect([other.status, (other.json() as { error_code: string }).error_code]).toEqual([404, 'ResourceNotFoundError']);
  });

  it('refuses events over 900,000 bytes and batches over 10 MB with 413', async () => {
    expect((await post('/Big', { blob: 'x'.repeat(900_001) }))[0]).toBe(413);
    const batch = { Big: Array.from({ length: 12 }, () => ({ blob: 'x'.repeat(899_000) })) };
    expect((await post('', batch))[0]).toBe(413);
  });
});
