import type { DestinationFilterConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import { applyDestinationFilters, integrationsDrop } from './index';

const base: SpecEvent = {
  type: 'track',
  event: 'Order Completed',
  messageId: 'm-1',
  userId: 'u-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  context: { ip: '1.2.3.4', traits: { email: 'a@b.c', name: 'Ann' } },
  integrations: {},
  properties: {
    total: 10,
    email: 'a@b.c',
    card: '4111',
    products: [
      { id: 'p1', price: 5, secret: 's' },
      { id: 'p2', price: 5, secret: 's' },
    ],
  },
};

describe('integrationsDrop', () => {
  const cases: [string, SpecEvent['integrations'], Record<string, unknown> | undefined, string | undefined][] = [
    ['empty object: enabled', {}, undefined, undefined],
    ['explicit true', { Mixpanel: true, All: false }, undefined, undefined],
    ['options object counts as enabled', { Mixpanel: { apiKey: 'x' }, All: false }, undefined, undefined],
    ['explicit false', { Mixpanel: false }, undefined, 'FILTERED_BY_INTEGRATIONS_OBJECT'],
    ['All false, not listed', { All: false, Amplitude: true }, undefined, 'FILTERED_BY_INTEGRATIONS_OBJECT'],
    ['explicit beats All', { All: false, Mixpanel: true }, undefined, undefined],
    ['names are case-sensitive', { All: false, mixpanel: true }, undefined, 'FILTERED_BY_INTEGRATIONS_OBJECT'],
    ['explicit false beats All true', { All: true, Mixpanel: false }, undefined, 'FILTERED_BY_INTEGRATIONS_OBJECT'],
    ['sent device-mode', {}, { bundled: ['Mixpanel'] }, 'MESSAGE_SENT_CLIENT_SIDE'],
    ['other bundled names do not matter', {}, { bundled: ['Amplitude'] }, undefined],
  ];
  it.each(cases)('%s', (_name, integrations, metadata, reason) => {
    const outcome = integrationsDrop({ integrations, ...(metadata ? { _metadata: metadata } : {}) }, 'Mixpanel');
    expect(outcome?.reason).toBe(reason);
  });
});

function filter(
  partial: Partial<DestinationFilterConfig> & Pick<DestinationFilterConfig, 'actions'>,
): DestinationFilterConfig {
  return { id: 'f1', sourceId: 's1', title: 'rule', if: 'all', enabled: true, ...partial };
}

describe('applyDestinationFilters', () => {
  it('keeps the event untouched when no filter matches or filters are disabled', () => {
    const result = applyDestinationFilters(base, [
      filter({ if: 'event = "Signed Up"', actions: [{ type: 'DROP' }] }),
      filter({ enabled: false, actions: [{ type: 'DROP' }] }),
    ]);
    expect(result).toEqual({ kind: 'keep', event: base });
  });

  it('drops matching events', () => {
    const result = applyDestinationFilters(base, [filter({ if: 'properties.total > 5', actions: [{ type: 'DROP' }] })]);
    expect(result).toMatchObject({ kind: 'drop', reason: 'FILTERED_BY_RULES' });
  });

  it('fails closed on invalid FQL, even when another filter would keep the event', () => {
    const result = applyDestinationFilters(base, [
      filter({ id: 'ok', if: 'event = "x"', actions: [{ type: 'DROP' }] }),
      filter({ id: 'bad', if: 'event ==== ', actions: [{ type: 'DROP_PROPERTIES', fields: {} }] }),
    ]);
    expect(result).toMatchObject({ kind: 'drop', reason: 'FILTERED_BY_RULES' });
    if (result.kind === 'drop') expect(result.message).toContain('(bad) has invalid FQL');
  });

  it('drops and allows properties, at the top level, in objects and in every element of arrays', () => {
    const result = applyDestinationFilters(base, [
      filter({
        actions: [
          { type: 'ALLOW_PROPERTIES', fields: { properties: ['total', 'products', 'email'] } },
          { type: 'DROP_PROPERTIES', fields: { 'properties.products': ['secret'], '': ['context'] } },
        ],
      }),
      filter({
        id: 'f2',
        if: 'userId = "u-1"',
        actions: [{ type: 'DROP_PROPERTIES', fields: { properties: ['email'] } }],
      }),
    ]);
    expect(result.kind).toBe('keep');
    if (result.kind !== 'keep') return;
    expect(result.event.properties).toEqual({
      total: 10,
      products: [
        { id: 'p1', price: 5 },
        { id: 'p2', price: 5 },
      ],
    });
    expect(result.event.context).toBeUndefined();
    // The input is not modified.
    expect(base.properties?.['card']).toBe('4111');
    expect(base.context.ip).toBe('1.2.3.4');
  });

  it('samples before dropping, randomly or by a field', () => {
    const sample = (percent: number, path?: string) =>
      filter({ actions: [{ type: 'SAMPLE', percent, ...(path ? { path } : {}) }] });
    expect(applyDestinationFilters(base, [sample(0.5)], { random: () => 0.49 }).kind).toBe('keep');
    expect(applyDestinationFilters(base, [sample(0.5)], { random: () => 0.5 }).kind).toBe('drop');
    expect(applyDestinationFilters(base, [sample(0)]).kind).toBe('drop');
    expect(applyDestinationFilters(base, [sample(1)]).kind).toBe('keep');
    // Deterministic: the same user is always in or always out; about half of users are in.
    let kept = 0;
    for (let i = 0; i < 2000; i++) {
      const event = { ...base, userId: `user-${i}` };
      const first = applyDestinationFilters(event, [sample(0.5, 'userId')]).kind;
      expect(applyDestinationFilters(event, [sample(0.5, 'userId')]).kind).toBe(first);
      if (first === 'keep') kept++;
    }
    expect(kept).toBeGreaterThan(900);
    expect(kept).toBeLessThan(1100);
  });
});
