import {
  problemProperty,
  problemsAt,
  propertyRowProblem,
  propertyRows,
  withProperty,
  withoutProperty,
} from './schema-properties';

describe('the plan editor: a schema as a table of properties', () => {
  const schema = {
    type: 'object',
    properties: {
      total: { type: 'number', minimum: 0 },
      currency: { type: 'string', enum: ['EUR', 'USD'] },
      tags: { type: ['array', 'null'] },
    },
    required: ['total'],
    additionalProperties: true,
  };

  it('reads each property with its type, required marker, allowed values and pattern', () => {
    expect(propertyRows(schema)).toEqual([
      { name: 'total', type: 'number', required: true, allowed: '', pattern: '' },
      { name: 'currency', type: 'string', required: false, allowed: 'EUR, USD', pattern: '' },
      { name: 'tags', type: 'other', required: false, allowed: '', pattern: '' },
    ]);
  });

  it('writes a row back in its place, keeping the keywords the table does not show', () => {
    const next = withProperty(schema, 'total', {
      name: 'amount',
      type: 'integer',
      required: true,
      allowed: '1, 2',
      pattern: 'ignored for numbers',
    });
    expect(Object.keys(next['properties'] as object)).toEqual(['amount', 'currency', 'tags']);
    expect((next['properties'] as Record<string, unknown>)['amount']).toEqual({
      type: 'integer',
      minimum: 0,
      enum: [1, 2],
    });
    expect(next['required']).toEqual(['amount']);
    expect(next['additionalProperties']).toBe(true);
    // A type the table cannot show stays as written.
    const tags = withProperty(schema, 'tags', {
      name: 'tags',
      type: 'other',
      required: false,
      allowed: '',
      pattern: '',
    });
    expect((tags['properties'] as Record<string, unknown>)['tags']).toEqual({ type: ['array', 'null'] });
    expect(schema.required).toEqual(['total']);
  });

  it('adds a property to an empty schema and removes one with its required entry', () => {
    const added = withProperty({}, undefined, {
      name: 'sku',
      type: 'string',
      required: true,
      allowed: '',
      pattern: '^[A-Z]+$',
    });
    expect(added).toEqual({
      type: 'object',
      properties: { sku: { type: 'string', pattern: '^[A-Z]+$' } },
      required: ['sku'],
    });
    expect(withoutProperty(added, 'sku')).toEqual({ type: 'object', properties: {} });
  });

  it('refuses a row without a name, a taken name, or numbers that are not numbers', () => {
    const row = { name: 'currency', type: 'string' as const, required: false, allowed: '', pattern: '' };
    expect(propertyRowProblem(schema, undefined, row)).toBe('currency is already a property.');
    expect(propertyRowProblem(schema, 'currency', row)).toBeUndefined();
    expect(propertyRowProblem(schema, undefined, { ...row, name: ' ' })).toBe('A property needs a name.');
    expect(propertyRowProblem(schema, undefined, { ...row, name: 'n', type: 'number', allowed: '1, two' })).toBe(
      'Allowed values of a number must be numbers.',
    );
  });

  it("places the server's problems on their event and property", () => {
    const problems = [
      {
        field: 'rules.events.Order Completed/properties/total/type',
        message: 'must be equal to one of the allowed values',
      },
      { field: 'rules.events.Order', message: 'x' },
      { field: 'rules.policies.violations', message: 'y' },
    ];
    expect(problemsAt(problems, 'events.Order Completed').map((p) => p.message)).toEqual([
      'must be equal to one of the allowed values',
    ]);
    expect(problemsAt(problems, 'events.Order')).toHaveLength(1);
    expect(problemProperty(problems[0]!.field)).toBe('total');
    expect(problemProperty('rules.events.A/required')).toBeUndefined();
  });
});
