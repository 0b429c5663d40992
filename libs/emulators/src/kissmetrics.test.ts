import { KissmetricsEmulator } from './index';
import { form, send } from './test-http';

const apiKey = 'km-key';
const now = Date.parse('2026-06-01T12:00:00.000Z');
const t = Math.floor(now / 1000) - 60;

describe('KissmetricsEmulator', () => {
  let km: KissmetricsEmulator;
  beforeAll(async () => {
    km = await new KissmetricsEmulator({ apiKey, now: () => now }).start();
  });
  afterAll(() => km.close());
  beforeEach(() => km.reset());

  const get = (endpoint: string, params: Record<string, string | number>) =>
    send(
      `${km.baseUrl}${endpoint}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`,
      {
        method: 'GET',
      },
    );

  it('answers 200 with a 1×1 GIF to everything, valid or not, and records what it made of each call', async () => {
    const good = await get('/e', { _k: apiKey, _p: 'ann@example.com', _n: 'Signed Up', _t: t, _d: 1, plan: 'pro' });
    const bad = await get('/e', { _k: 'wrong', _n: 'x' });
    for (const r of [good, bad]) {
      expect([r.status, r.headers['content-type'], Buffer.from(r.text, 'latin1').subarray(0, 6).toString()]).toEqual([
        200,
        'image/gif',
        'GIF89a',
      ]);
    }
    expect(km.calls.map((c) => c.problems)).toEqual([[], ['unknown _k', 'missing _p']]);
    expect(km.events).toEqual([{ person: 'ann@example.com', name: 'Signed Up', time: t, properties: { plan: 'pro' } }]);
  });

  it('flags what Kissmetrics drops or misreads', async () => {
    const problems = async (endpoint: string, params: Record<string, string | number>) => {
      await get(endpoint, { _k: apiKey, ...params });
      return km.calls.at(-1)?.problems;
    };
    expect(await problems('/e', { _p: 'u' })).toEqual(['missing _n on /e']);
    expect(await problems('/a', { _p: 'u' })).toEqual(['missing _n on /a']);
    expect(await problems('/s', { _p: 'u'.repeat(256), a: 1 })).toEqual(['_p longer than 255 characters']);
    expect(await problems('/s', { _p: 'u', _t: t * 1000, _d: 1 })).toEqual(['_t looks like milliseconds']);
    expect(await problems('/s', { _p: 'u', _t: 1000, _d: 1 })).toEqual(['_t is before 2009']);
    expect(await problems('/s', { _p: 'u', _t: '12.5' })).toEqual(['_t is not whole Unix seconds']);
    expect(await problems('/s', { _p: 'u', _d: 1 })).toEqual(['_d=1 without _t']);
    expect(await problems('/s', { _p: 'u', long: 'x'.repeat(513) })).toEqual([
      'value of long longer than 512 characters',
    ]);
    expect(await problems('/s', { _p: 'u', ['n'.repeat(256)]: 1 })).toEqual([
      'property name longer than 255 characters',
    ]);
    expect(km.events).toEqual([]);
  });

  it('takes form POSTs; names are case-insensitive and "," ":" read as spaces', async () => {
    await send(`${km.baseUrl}/s`, form({ _k: apiKey, _p: 'Ann', _t: String(t), _d: '1', 'Plan:Tier': 'gold' }));
    expect(km.person('ann')).toEqual({ 'plan tier': 'gold' });
  });

  it('de-duplicates events (person, name, time, properties) and property sets (person, name, time)', async () => {
    const event = { _k: apiKey, _p: 'u', _n: 'Bought', _t: t, _d: 1, sku: 'a' };
    await get('/e', event);
    await get('/e', event);
    await get('/e', { ...event, sku: 'b' });
    expect(km.events.map((e) => e.properties['sku'])).toEqual(['a', 'b']);
    await get('/s', { _k: apiKey, _p: 'u', _t: t + 1, _d: 1, sku: 'c' });
    await get('/s', { _k: apiKey, _p: 'u', _t: t + 1, _d: 1, sku: 'd' });
    expect(km.person('u')['sku']).toBe('c');
    expect(km.calls.map((c) => c.duplicate)).toEqual([false, true, false, false, true]);
  });

  it('aliases join two ids into one person, for good', async () => {
    await get('/s', { _k: apiKey, _p: 'anon-1', _t: t, _d: 1, visits: 3 });
    await get('/s', { _k: apiKey, _p: 'user-1', _t: t, _d: 1, plan: 'pro' });
    await get('/e', { _k: apiKey, _p: 'anon-1', _n: 'Viewed', _t: t, _d: 1 });
    await get('/a', { _k: apiKey, _p: 'user-1', _n: 'anon-1' });
    expect(km.person('anon-1')).toEqual({ visits: '3', plan: 'pro' });
    expect(km.eventsOf('user-1').map((e) => e.name)).toEqual(['Viewed']);
  });
});
