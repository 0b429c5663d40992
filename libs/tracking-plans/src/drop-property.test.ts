// drop_property removes the offending value itself, however deep, and names it by its JSON pointer.
import { compilePlan, type JsonSchema, type PlanPolicies } from './index';
import { removeAtPointers } from './json-pointer';

const address = {
  type: 'object',
  properties: { street: { type: 'string' }, zip: { type: 'string' }, city: { type: 'string' } },
  required: ['city'],
};
const item = { type: 'object', properties: { sku: { type: 'string' }, price: { type: 'number' } } };
const checkout: JsonSchema = {
  type: 'object',
  properties: {
    orderId: { type: 'string' },
    address,
    items: { type: 'array', items: item },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
    meta: { type: 'object', additionalProperties: false, properties: { a: { type: 'number' } } },
    codes: { type: 'object', propertyNames: { pattern: '^[A-Z]+$' } },
    'a/b~c': { type: 'object', properties: { 'x/y': { type: 'number' } } },
  },
};

function checkWith(properties: Record<string, unknown>, policies: Partial<PlanPolicies> = {}) {
  const plan = compilePlan({
    id: 'tp',
    workspaceId: 'ws',
    name: 'nested',
    version: 1,
    sourceIds: [],
    events: { Checkout: checkout },
    policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'drop_property', ...policies },
  });
  return plan.check({ type: 'track', event: 'Checkout', properties });
}

describe('drop_property on nested values', () => {
  const cases: Array<{
    name: string;
    properties: Record<string, unknown>;
    dropped: string[];
    left: Record<string, unknown>;
  }> = [
    {
      name: 'a nested field of the wrong type: that field only, its siblings stay',
      properties: { orderId: 'o1', address: { street: 'Main 1', zip: 1234, city: 'Oslo' } },
      dropped: ['/address/zip'],
      left: { orderId: 'o1', address: { street: 'Main 1', city: 'Oslo' } },
    },
    {
      name: 'a nested required field missing: nothing to drop, the object stays',
      properties: { address: { street: 'Main 1' } },
      dropped: [],
      left: { address: { street: 'Main 1' } },
    },
    {
      name: "an array item's field: that field of that item, not the array",
      properties: {
        items: [
          { sku: 'a', price: 1 },
          { sku: 'b', price: 'free' },
          { sku: 'c', price: 3 },
        ],
      },
      dropped: ['/items/1/price'],
      left: { items: [{ sku: 'a', price: 1 }, { sku: 'b' }, { sku: 'c', price: 3 }] },
    },
    {
      name: 'the same field of several items: each of them',
      properties: { items: [{ sku: 1, price: 1 }, { sku: 'b' }, { sku: 2 }] },
      dropped: ['/items/0/sku', '/items/2/sku'],
      left: { items: [{ price: 1 }, { sku: 'b' }, {}] },
    },
    {
      name: 'array items that are themselves wrong: those items, the others keep their order',
      properties: { tags: [1, 'a', false] },
      dropped: ['/tags/0', '/tags/2'],
      left: { tags: ['a'] },
    },
    {
      name: 'a rule on the array as a whole (maxItems): the array',
      properties: { orderId: 'o1', tags: ['a', 'b', 'c', 'd'] },
      dropped: ['/tags'],
      left: { orderId: 'o1' },
    },
    {
      name: 'a property a nested schema does not allow (additionalProperties: false): that property',
      properties: { meta: { a: 1, b: 2 } },
      dropped: ['/meta/b'],
      left: { meta: { a: 1 } },
    },
    {
      name: 'a property name propertyNames refuses: that property, not the object',
      properties: { codes: { OK: 1, bad: 2 } },
      dropped: ['/codes/bad'],
      left: { codes: { OK: 1 } },
    },
    {
      name: 'names with / and ~: escaped in the pointer, removed by their real name',
      properties: { 'a/b~c': { 'x/y': 'one', z: 1 } },
      dropped: ['/a~1b~0c/x~1y'],
      left: { 'a/b~c': { z: 1 } },
    },
    {
      name: 'an object of the wrong type: the value itself',
      properties: { orderId: 'o1', address: 'Main 1, Oslo' },
      dropped: ['/address'],
      left: { orderId: 'o1' },
    },
  ];

  it.each(cases)('$name', ({ properties, dropped, left }) => {
    const verdict = checkWith(properties);
    expect(verdict.blocked).toBe(false);
    expect(verdict.dropped).toEqual(dropped);
    expect(properties).toEqual(left);
    // Every removed value was reported at that path.
    for (const path of dropped) expect(verdict.violations.map((v) => v.path)).toContain(path);
  });

  it('drops an unplanned property whole, and a nested offence inside an allowed one only', () => {
    const properties = { extra: { x: 1 }, address: { city: 'Oslo', zip: 5 } };
    const verdict = checkWith(properties, { unplannedProperties: 'drop_property', violations: 'drop_property' });
    expect(verdict.dropped).toEqual(['/extra', '/address/zip']);
    expect(properties).toEqual({ address: { city: 'Oslo' } });
  });

  it('still blocks the whole event when a nested offence falls under block', () => {
    const properties = { address: { city: 'Oslo', zip: 5 } };
    const verdict = checkWith(properties, { violations: 'block' });
    expect(verdict).toMatchObject({ blocked: true, dropped: [] });
    expect(properties).toEqual({ address: { city: 'Oslo', zip: 5 } });
  });
});

describe('removeAtPointers', () => {
  it('removes a value once, under an ancestor also removed, and skips pointers to nothing', () => {
    const object: Record<string, unknown> = { a: { b: 1, c: 2 }, d: [1, 2], e: 3 };
    expect(removeAtPointers(object, ['/a/b', '/a', '/d/5', '/nope', '/e/x', '/d/1'])).toEqual(['/a', '/d/1']);
    expect(object).toEqual({ d: [1], e: 3 });
  });

  it('orders array items by their index, not as text (10 after 9)', () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    const object: Record<string, unknown> = { list };
    expect(removeAtPointers(object, ['/list/9', '/list/10'])).toEqual(['/list/9', '/list/10']);
    expect(object['list']).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 11]);
  });
});
