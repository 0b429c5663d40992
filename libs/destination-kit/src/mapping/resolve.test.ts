import { mappingProblems, resolveMapping, validateMapping, MappingError, type MappingValue } from './index';

const event = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u-1',
  anonymousId: null,
  properties: {
    revenue: 12.5,
    zero: 0,
    empty: '',
    nested: { a: { b: 1 }, list: [1, 2] },
    products: [
      { product_id: 'p1', price: 10, name: 'Shoe' },
      { product_id: 'p2', price: 2.5, name: 'Sock' },
    ],
    single: { product_id: 'p9' },
    json: '{"x":1}',
    badJson: '{nope',
    text: 'Hello World hello',
  },
  context: { traits: { email: 'A@B.C' } },
};

const cases: [string, MappingValue, unknown][] = [
  ['@path with $.', { '@path': '$.properties.revenue' }, 12.5],
  ['@path without prefix', { '@path': 'event' }, 'Order Completed'],
  ['@path with index', { '@path': '$.properties.products[1].name' }, 'Sock'],
  ['@path missing', { '@path': '$.properties.nope.deeper' }, undefined],
  ['@path root', { '@path': '$.' }, event],
  ['@template', { '@template': '{{event}} by {{userId}}{{missing}}' }, 'Order Completed by u-1'],
  ['@template object', { '@template': 'n={{properties.nested.a}}' }, 'n={"b":1}'],
  ['@literal keeps directives raw', { '@literal': { '@path': 'x' } }, { '@path': 'x' }],
  ['@if exists then', { '@if': { exists: { '@path': '$.userId' }, then: 'yes', else: 'no' } }, 'yes'],
  ['@if null is not existing', { '@if': { exists: { '@path': '$.anonymousId' }, then: 'yes', else: 'no' } }, 'no'],
  ['@if missing branch omitted', { '@if': { exists: { '@path': '$.nope' }, then: 'yes' } }, undefined],
  [
    '@if blank: 0 is blank',
    { '@if': { blank: { '@path': '$.properties.zero' }, then: 'set', else: 'blank' } },
    'blank',
  ],
  ['@if blank: empty string is blank', { '@if': { blank: { '@path': '$.properties.empty' }, then: 'set' } }, undefined],
  [
    '@if blank: a value takes then',
    { '@if': { blank: { '@path': '$.properties.revenue' }, then: 'set', else: 'blank' } },
    'set',
  ],
  [
    '@arrayPath with shape',
    { '@arrayPath': ['$.properties.products', { id: { '@path': '$.product_id' }, cost: { '@path': '$.price' } }] },
    [
      { id: 'p1', cost: 10 },
      { id: 'p2', cost: 2.5 },
    ],
  ],
  [
    '@arrayPath wraps an object',
    { '@arrayPath': ['$.properties.single', { id: { '@path': 'product_id' } }] },
    [{ id: 'p9' }],
  ],
  ['@arrayPath missing', { '@arrayPath': ['$.properties.none'] }, undefined],
  ['@arrayPath without shape returns the value as is', { '@arrayPath': ['$.properties.single'] }, { product_id: 'p9' }],
  ['@case lower', { '@case': { operator: 'lower', value: { '@path': '$.context.traits.email' } } }, 'a@b.c'],
  ['@case upper', { '@case': { operator: 'upper', value: 'abc' } }, 'ABC'],
  ['@case non-string untouched', { '@case': { operator: 'upper', value: 3 } }, 3],
  ['@replace global', { '@replace': { value: 'a.b.c', pattern: '.', replacement: '_' } }, 'a_b_c'],
  ['@replace first only', { '@replace': { value: 'a.b.c', pattern: '.', replacement: '_', global: false } }, 'a_b.c'],
  [
    '@replace ignorecase and second pair',
    {
      '@replace': {
        value: { '@path': '$.properties.text' },
        pattern: 'hello',
        replacement: 'bye',
        ignorecase: true,
        pattern2: ' ',
        replacement2: '-',
      },
    },
    'bye-World-bye',
  ],
  [
    '@merge right: later wins',
    { '@merge': { objects: [{ a: 1, b: 1 }, { b: 2 }], direction: 'right' } },
    { a: 1, b: 2 },
  ],
  [
    '@merge left: earlier wins',
    {
      '@merge': {
        objects: [
          { a: 1, b: 1 },
          { b: 2, c: 3 },
        ],
        direction: 'left',
      },
    },
    { a: 1, b: 1, c: 3 },
  ],
  ['@transform', { '@transform': { apply: { '@path': '$.properties.nested' }, mapping: { '@path': '$.a.b' } } }, 1],
  [
    '@flatten',
    { '@flatten': { value: { '@path': '$.properties.nested' }, separator: '_' } },
    { a_b: 1, list_0: 1, list_1: 2 },
  ],
  [
    '@flatten omitArrays',
    { '@flatten': { value: { '@path': '$.properties.nested' }, omitArrays: true } },
    { 'a.b': 1, list: [1, 2] },
  ],
  ['@json encode', { '@json': { mode: 'encode', value: { '@path': '$.properties.nested.a' } } }, '{"b":1}'],
  ['@json decode', { '@json': { mode: 'decode', value: { '@path': '$.properties.json' } } }, { x: 1 }],
  [
    '@json decode invalid returns input',
    { '@json': { mode: 'decode', value: { '@path': '$.properties.badJson' } } },
    '{nope',
  ],
  ['@excludeWhenNull null', { k: { '@excludeWhenNull': { '@path': '$.anonymousId' } } }, {}],
  ['@excludeWhenNull value', { k: { '@excludeWhenNull': { '@path': '$.userId' } } }, { k: 'u-1' }],
  [
    'null kept, undefined dropped',
    { a: { '@path': '$.anonymousId' }, b: { '@path': '$.nope' }, c: 'raw' },
    { a: null, c: 'raw' },
  ],
  ['arrays resolve each item', [{ '@path': '$.userId' }, { '@path': '$.nope' }, 1], ['u-1', 1]],
];

describe('resolveMapping', () => {
  it.each(cases)('%s', (_name, mapping, expected) => {
    expect(resolveMapping(mapping, event)).toEqual(expected);
  });

  it('refuses a directive beside raw keys, and unknown directives', () => {
    expect(() => resolveMapping({ '@path': '$.a', other: 1 }, event)).toThrow(MappingError);
    expect(() => resolveMapping({ '@coalesce': ['$.a'] }, event)).toThrow('unknown directive @coalesce');
  });
});

describe('validateMapping', () => {
  it('finds misplaced and unknown directives anywhere in a mapping', () => {
    expect(validateMapping({ a: { '@path': '$.x' }, b: [{ c: { '@template': 'x' } }] })).toEqual([]);
    expect(validateMapping({ a: { '@path': '$.x', raw: 1 } })).toEqual([
      '$.a: a directive must be alone in its object (keys @path, raw)',
    ]);
    expect(validateMapping({ a: [{ '@concat': 'x' }] })).toEqual(['$.a[0]: unknown directive @concat']);
    expect(validateMapping({ a: { '@path': 3 } })).toEqual(['$.a.@path: @path takes a string']);
  });
});

describe('mappingProblems', () => {
  const bad: [string, MappingValue, { path: string; message: string }[]][] = [
    [
      '@case without operator',
      { '@case': { value: 'x' } },
      [{ path: '$.@case.operator', message: 'must be "lower" or "upper"' }],
    ],
    ['@case not an object', { '@case': 'lower' }, [{ path: '$.@case', message: '@case takes an object' }]],
    [
      '@replace with a list pattern and a number replacement',
      { '@replace': { value: 'a', pattern: ['x'], replacement: 1, global: 'yes' } },
      [
        { path: '$.@replace.pattern', message: 'is required: the text to replace' },
        { path: '$.@replace.replacement', message: 'must be text' },
        { path: '$.@replace.global', message: 'must be true or false' },
      ],
    ],
    [
      '@json mode',
      { '@json': { mode: 'parse', value: 'x' } },
      [{ path: '$.@json.mode', message: 'must be "encode" or "decode"' }],
    ],
    [
      '@if without condition',
      { '@if': { then: 1 } },
      [{ path: '$.@if', message: '@if needs one condition: `exists` or `blank`' }],
    ],
    [
      '@merge without objects, bad direction',
      { '@merge': { objects: { a: 1 }, direction: 'up' } },
      [{ path: '$.@merge.objects', message: 'is required: a list of objects' }],
    ],
    [
      '@merge bad direction',
      { '@merge': { objects: [], direction: 'up' } },
      [{ path: '$.@merge.direction', message: 'must be "left" or "right"' }],
    ],
    [
      '@transform missing parts',
      { '@transform': { apply: { '@path': 1 } } },
      [
        { path: '$.@transform.apply.@path', message: '@path takes a string' },
        { path: '$.@transform.mapping', message: 'is required' },
      ],
    ],
    [
      '@arrayPath shape',
      { '@arrayPath': ['$.items', { id: { '@nope': 1 } }] },
      [{ path: '$.@arrayPath[1].id', message: 'unknown directive @nope' }],
    ],
    [
      '@arrayPath not a list',
      { '@arrayPath': '$.items' },
      [{ path: '$.@arrayPath', message: '@arrayPath takes [path, itemShape?]' }],
    ],
    [
      '@flatten separator',
      { '@flatten': { value: { '@path': '$.a' }, separator: 0 } },
      [{ path: '$.@flatten.separator', message: 'must be text' }],
    ],
    [
      'nested directive inside @case value',
      { '@case': { operator: 'upper', value: { '@template': 7 } } },
      [{ path: '$.@case.value.@template', message: '@template takes a string' }],
    ],
  ];
  it.each(bad)('%s', (_name, mapping, problems) => {
    expect(mappingProblems(mapping)).toEqual(problems);
  });

  it('finds nothing wrong in well-formed string directives', () => {
    expect(
      mappingProblems({
        a: { '@case': { operator: 'lower', value: { '@path': '$.event' } } },
        b: {
          '@replace': {
            value: { '@path': '$.event' },
            pattern: ' ',
            replacement: '_',
            pattern2: '-',
            ignorecase: true,
          },
        },
        c: { '@json': { mode: 'encode', value: { '@path': '$.properties' } } },
      }),
    ).toEqual([]);
  });
});
