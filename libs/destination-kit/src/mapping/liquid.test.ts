import { mappingProblems, resolveMapping, MappingError } from './index';

const event = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u-1',
  properties: { total: 12.5, plan: 'pro', items: [3, 1, 2], name: 'Ann' },
  context: { page: { url: 'https://shop.example/cart' } },
};

describe('@liquid', () => {
  it.each([
    [
      'variables from the event root',
      '{{ event }} by {{ userId }} on {{ context.page.url }}',
      'Order Completed by u-1 on https://shop.example/cart',
    ],
    ['filters', '{{ properties.name | upcase }} paid {{ properties.total | times: 2 }}', 'ANN paid 25'],
    ['conditions', '{% if properties.total > 10 %}big{% else %}small{% endif %}', 'big'],
    [
      'assign and capture',
      '{% assign p = properties.plan | append: "-plan" %}{% capture x %}[{{ p }}]{% endcapture %}{{ x }}',
      '[pro-plan]',
    ],
    ['a missing field is empty', 'x{{ properties.nope.deeper }}y', 'xy'],
    ['no HTML escaping', '{{ "<b>&</b>" }}', '<b>&</b>'],
    ['an empty template', '', ''],
    ["no prototype's properties", '{{ properties.constructor }}{{ properties.items.__proto__ }}', ''],
  ])('renders %s', (_name, template, expected) => {
    expect(resolveMapping({ field: { '@liquid': template } }, event)).toEqual({ field: expected });
  });

  it('is refused when saved, with the reason, for what Segment refuses too', () => {
    const problem = (template: unknown) => mappingProblems({ f: { '@liquid': template } as never });
    expect(problem('{{ properties.plan }}')).toEqual([]);
    expect(problem(12)).toEqual([{ path: '$.f.@liquid', message: '@liquid takes a string' }]);
    expect(problem('x'.repeat(1001))).toEqual([
      { path: '$.f.@liquid', message: '@liquid takes at most 1000 characters; this template has 1001' },
    ]);
    expect(problem('{% for i in properties.items %}{{ i }}{% endfor %}')[0]?.message).toMatch(
      /^@liquid does not offer the tag for \(nor does Segment\)/,
    );
    expect(problem('{% include "/etc/passwd" %}')[0]?.message).toMatch(/^@liquid does not offer the tag include/);
    expect(problem('{{ properties.items | sort }}')[0]?.message).toMatch(/^@liquid does not offer the filter sort/);
    expect(problem('{{ properties.items | no_such_filter }}')[0]?.message).toMatch(
      /^@liquid does not parse: undefined filter: no_such_filter/,
    );
    expect(problem('{{ properties.plan ')[0]?.message).toMatch(/^@liquid does not parse: output .* not closed/);
  });

  it('fails the mapping, naming the directive, when a template that was never checked cannot be used', () => {
    expect(() => resolveMapping({ '@liquid': '{% tablerow x in y %}{% endtablerow %}' }, event)).toThrow(MappingError);
    expect(() => resolveMapping({ '@liquid': ['not text'] }, event)).toThrow('@liquid takes a string');
  });

  it("stops a render that would take the process's memory, failing the mapping", () => {
    // A range of a hundred million numbers, joined: LiquidJS would build the array before the join fails.
    expect(() => resolveMapping({ '@liquid': '{{ (1..99999999) | join }}' }, event)).toThrow(
      '@liquid could not be rendered: memory alloc limit exceeded',
    );
    const doubling = '{% assign a = "xxxxxxxxxx" %}' + '{% assign a = a | append: a %}'.repeat(30) + '{{ a | size }}';
    expect(() => resolveMapping({ '@liquid': doubling }, event)).toThrow('memory alloc limit exceeded');
  });

  it('renders the same template against each event (parsed once)', () => {
    const mapping = { greeting: { '@liquid': 'Hi {{ properties.name | default: "there" }}' } };
    expect(resolveMapping(mapping, event)).toEqual({ greeting: 'Hi Ann' });
    expect(resolveMapping(mapping, { ...event, properties: {} })).toEqual({ greeting: 'Hi there' });
  });
});
