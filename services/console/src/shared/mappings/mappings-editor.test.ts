import { compileFql, resolveMapping, type MappingValue } from '@manifold/destination-kit';
import { eventPaths } from './event-paths';
import { sourceOf, switchKind, valueOf, type FieldSource } from './field-source';
import { fqlOf, specOf, type TriggerSpec } from './trigger-fql';

const order = {
  type: 'track',
  event: 'Order "Big" Completed',
  userId: 'u-1',
  traits: { plan: 'pro' },
  properties: { total: 42, 'odd key': 'x', coupon: 'SPRING-24', products: [{ sku: 'a' }], note: null },
};

function matches(fql: string, event: unknown): boolean {
  const compiled = compileFql(fql);
  if (!compiled.ok) throw new Error(`${fql}: ${compiled.error}`);
  return compiled.matches(event as Record<string, unknown>);
}

describe('the trigger builder', () => {
  it('writes FQL the kit compiles, which matches what the builder says, and reads it back', () => {
    const cases: Array<[TriggerSpec, string, boolean]> = [
      [{ type: '', name: '', conditions: [] }, 'all', true],
      [
        { type: 'track', name: order.event, conditions: [] },
        'type = "track" and event = "Order \\"Big\\" Completed"',
        true,
      ],
      [{ type: 'page', name: 'Home', conditions: [] }, 'type = "page" and name = "Home"', false],
      [
        {
          type: 'track',
          name: '',
          conditions: [
            { path: 'properties.total', operator: '>', value: '40' },
            { path: 'properties.coupon', operator: 'contains', value: 'SPRING' },
            { path: 'traits.plan', operator: '=', value: 'pro' },
            { path: 'properties.odd key', operator: '=', value: 'x' },
            { path: 'userId', operator: 'exists', value: '' },
            { path: 'properties.missing', operator: 'missing', value: '' },
          ],
        },
        'type = "track" and properties.total > 40 and contains(properties.coupon, "SPRING") and traits.plan = "pro" and properties.odd\\ key = "x" and userId != null and properties.missing = null',
        true,
      ],
      [
        { type: 'track', name: '', conditions: [{ path: 'properties.total', operator: '<', value: '40' }] },
        'type = "track" and properties.total < 40',
        false,
      ],
      [
        { type: '', name: '', conditions: [{ path: 'properties.total', operator: '!=', value: '42' }] },
        'properties.total != 42',
        false,
      ],
    ];
    for (const [spec, fql, matched] of cases) {
      expect(fqlOf(spec)).toBe(fql);
      expect([fql, matches(fql, order)]).toEqual([fql, matched]);
      expect(specOf(fql)).toEqual(spec);
    }
  });

  it('leaves FQL it would not have written to be edited by hand', () => {
    for (const fql of [
      'type = "track" or type = "page"',
      '!(event = "A")',
      'event = "A" and type = "track"',
      'properties.total >= 3',
      'match(event, "Order*")',
    ]) {
      expect([fql, specOf(fql)]).toEqual([fql, undefined]);
    }
  });
});

describe("a field's source", () => {
  function resolved(source: FieldSource): unknown {
    const value = valueOf(source);
    if (!value.ok) throw new Error(value.error);
    return value.value === undefined ? undefined : resolveMapping(value.value as MappingValue, order);
  }

  it('maps event fields, templates and fixed values as the kit resolves them, and round-trips them', () => {
    expect(resolved({ kind: 'path', text: '$.traits.plan' })).toBe('pro');
    expect(resolved({ kind: 'path', text: 'properties.products[0].sku' })).toBe('a');
    expect(resolved({ kind: 'template', text: 'Bought for {{properties.total}}' })).toBe('Bought for 42');
    expect(
      resolved({ kind: 'liquid', text: '{{ traits.plan | upcase }}{% if properties.total > 40 %}+{% endif %}' }),
    ).toBe('PRO+');
    expect(resolved({ kind: 'text', text: 'Purchase' })).toBe('Purchase');
    expect(resolved({ kind: 'number', text: '2.5' })).toBe(2.5);
    expect(resolved({ kind: 'boolean', text: 'false' })).toBe(false);
    expect(resolved({ kind: 'json', text: '{"@case":{"operator":"upper","value":{"@path":"$.traits.plan"}}}' })).toBe(
      'PRO',
    );
    expect(valueOf({ kind: 'none', text: 'ignored' })).toEqual({ ok: true, value: undefined });
    for (const value of [
      { '@path': '$.userId' },
      { '@template': '{{event}}' },
      { '@liquid': '{{ event | downcase }}' },
      'x',
      3,
      true,
      { '@if': {} },
    ]) {
      expect(valueOf(sourceOf(value))).toEqual({ ok: true, value });
    }
    expect(sourceOf(undefined)).toEqual({ kind: 'none', text: '' });
  });

  it('says what is wrong with what was typed', () => {
    expect(valueOf({ kind: 'number', text: 'twelve' })).toEqual({ ok: false, error: 'is not a number' });
    expect(valueOf({ kind: 'path', text: ' ' })).toMatchObject({ ok: false });
    expect(valueOf({ kind: 'json', text: '{' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^is not JSON/),
    });
  });

  it('keeps what was typed when switching between kinds that can take it', () => {
    expect(switchKind({ kind: 'path', text: '$.event' }, 'template')).toEqual({ kind: 'template', text: '$.event' });
    expect(switchKind({ kind: 'template', text: 'Hi {{userId}}' }, 'liquid')).toEqual({
      kind: 'liquid',
      text: 'Hi {{userId}}',
    });
    expect(switchKind({ kind: 'path', text: '$.event' }, 'json')).toEqual({
      kind: 'json',
      text: JSON.stringify({ '@path': '$.event' }, null, 2),
    });
    expect(switchKind({ kind: 'text', text: 'yes' }, 'boolean')).toEqual({ kind: 'boolean', text: 'true' });
    expect(switchKind({ kind: 'json', text: '{}' }, 'text')).toEqual({ kind: 'text', text: '' });
  });
});

describe('event paths', () => {
  it('lists every path of recent events once, arrays by their first item, odd keys left out', () => {
    expect(eventPaths([order, { type: 'identify', traits: { email: 'a@b.c' } }])).toEqual([
      'event',
      'properties',
      'properties.coupon',
      'properties.note',
      'properties.products',
      'properties.products[0]',
      'properties.products[0].sku',
      'properties.total',
      'traits',
      'traits.email',
      'traits.plan',
      'type',
      'userId',
    ]);
  });
});
