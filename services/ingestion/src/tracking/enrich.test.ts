import { enrichCall as enrichOrUndefined, TRACKING_API_VERSION } from './enrich';
import { validateCall } from './validate';

function enrichCall(...args: Parameters<typeof enrichOrUndefined>) {
  const event = enrichOrUndefined(...args);
  if (!event) throw new Error('the call was refused');
  return event;
}

const facts = {
  receivedAtMs: Date.parse('2026-03-01T12:00:00.000Z'),
  receivedAt: '2026-03-01T12:00:00.000Z',
  ip: '198.51.100.4',
};

describe('enrichCall', () => {
  it('corrects a skewed client clock with sentAt and keeps the original time', () => {
    // The device clock is 1 h behind: it stamped the event 10 s before sending.
    const event = enrichCall(
      {
        userId: 'u',
        event: 'E',
        timestamp: '2026-03-01T10:59:40.000Z',
        sentAt: '2026-03-01T10:59:50.000Z',
      },
      'track',
      facts,
    );
    expect(event).toMatchObject({
      type: 'track',
      originalTimestamp: '2026-03-01T10:59:40.000Z',
      timestamp: '2026-03-01T11:59:50.000Z',
      receivedAt: facts.receivedAt,
      version: TRACKING_API_VERSION,
      context: { ip: '198.51.100.4' },
      integrations: {},
    });
    expect(event.messageId).toMatch(/^api-[0-9a-f-]{36}$/);
  });

  it('keeps a timestamp without sentAt (imports), uses receipt time without one, and keeps a given ip', () => {
    expect(enrichCall({ userId: 'u', timestamp: '2020-01-01T00:00:00Z' }, 'identify', facts).timestamp).toBe(
      '2020-01-01T00:00:00.000Z',
    );
    const now = enrichCall({ userId: 'u', context: { ip: '192.0.2.1' }, messageId: 'm' }, 'identify', facts);
    expect(now).toMatchObject({ timestamp: facts.receivedAt, messageId: 'm', context: { ip: '192.0.2.1' } });
    expect(now).not.toHaveProperty('originalTimestamp');
  });

  it('refuses, untouched, a call whose corrected timestamp leaves the years 0001 to 9999', () => {
    const call = {
      userId: 'u',
      timestamp: '0001-01-01T00:00:00.000Z',
      sentAt: '9999-01-01T00:00:00.000Z',
      writeKey: 'k',
    };
    expect(enrichOrUndefined(call, 'identify', facts)).toBeUndefined();
    expect(call).toEqual({
      userId: 'u',
      timestamp: '0001-01-01T00:00:00.000Z',
      sentAt: '9999-01-01T00:00:00.000Z',
      writeKey: 'k',
    });
    // The same two times without sentAt are kept as they are.
    expect(enrichCall({ userId: 'u', timestamp: '9999-12-31T23:59:59.999Z' }, 'identify', facts).timestamp).toBe(
      '9999-12-31T23:59:59.999Z',
    );
  });

  it('merges envelope context and integrations under the call’s own values', () => {
    const event = enrichCall({ userId: 'u', context: { locale: 'fr' }, integrations: { A: false } }, 'identify', {
      ...facts,
      sentAt: '2026-03-01T12:00:00.000Z',
      context: { locale: 'en', app: { name: 'x' } },
      integrations: { All: true, A: true },
    });
    expect(event.context).toEqual({ locale: 'fr', app: { name: 'x' }, ip: '198.51.100.4' });
    expect(event.integrations).toEqual({ All: true, A: false });
    expect(event.sentAt).toBe('2026-03-01T12:00:00.000Z');
  });
});

describe('validateCall', () => {
  it('treats null ids as absent, as analytics.js sends them', () => {
    expect(validateCall({ userId: null, anonymousId: 'a', event: 'E' }, 'track')).toBeUndefined();
    expect(validateCall({ userId: null, anonymousId: null }, 'page')?.code).toBe('no_user_anon_id');
  });

  it('takes timestamps in the years 0001 to 9999 only', () => {
    for (const timestamp of [
      '+275760-09-13T00:00:00.000Z',
      '-000001-01-01T00:00:00Z',
      '0000-12-31T23:59:59Z',
      '+010000-01-01T00:00:00Z',
    ]) {
      expect(validateCall({ userId: 'u', timestamp }, 'identify')?.message).toContain('years 0001 to 9999');
      expect(validateCall({ userId: 'u', sentAt: timestamp }, 'identify')?.code).toBe('bad_request');
    }
    expect(
      validateCall({ userId: 'u', timestamp: '0001-01-01T00:00:00Z', sentAt: '9999-12-31T23:59:59.999Z' }, 'identify'),
    ).toBeUndefined();
  });

  it('treats an empty userId or anonymousId as absent, and does not store it', () => {
    expect(validateCall({ userId: '', anonymousId: 'a', event: 'E' }, 'track')).toBeUndefined();
    expect(validateCall({ userId: 'u', anonymousId: '' }, 'identify')).toBeUndefined();
    expect(validateCall({ userId: '', anonymousId: '' }, 'page')?.code).toBe('no_user_anon_id');
    expect(validateCall({ userId: '', anonymousId: null }, 'page')?.code).toBe('no_user_anon_id');
    expect(validateCall({ userId: 0, anonymousId: 'a' }, 'page')?.code).toBe('id_not_string');
    const event = enrichCall({ userId: '', anonymousId: 'a' }, 'identify', facts);
    expect(JSON.parse(JSON.stringify(event))).not.toHaveProperty('userId');
    const other = enrichCall({ userId: 'u', anonymousId: '' }, 'identify', facts);
    expect(JSON.parse(JSON.stringify(other))).not.toHaveProperty('anonymousId');
  });

  it('limits messageId to 100 characters', () => {
    expect(validateCall({ userId: 'u', messageId: 'm'.repeat(101) }, 'identify')?.code).toBe('bad_request');
    expect(validateCall({ userId: 'u', messageId: 'm'.repeat(100) }, 'identify')).toBeUndefined();
  });
});
